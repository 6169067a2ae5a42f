package org.proctap.perfetto;

import java.util.HashMap;
import java.util.Map;

import org.proctap.event.Event;
import org.proctap.event.SchedSwitch;
import org.proctap.event.SchedWakeup;
import org.proctap.event.TaskRename;
import org.proctap.perfetto.proto.FtraceEventBundle;

/**
 * One CPU's sched_switch and sched_waking events of a bundle in Perfetto's compact form
 * (protos/perfetto/trace/ftrace/ftrace_event_bundle.proto CompactSched, what traced_probes writes
 * with compact_sched enabled): ~9 bytes a switch instead of ~45.
 *
 * <p>The form leaves out what trace_processor infers from the CPU's previous switch, compact or
 * not (src/trace_processor/importers/ftrace/ftrace_sched_event_tracker.cc PushSchedSwitchCompact,
 * PushSchedWakingCompact): a switch's prev_pid and prev_prio (that switch's next_*), its prev_comm
 * (the task's name then, renamed by task_rename meanwhile) and a waking's waker (the task
 * running). So an event goes in the columns only when that inference gives back what it says;
 * any other is written in full, as is every one before the CPU's first switch. That matters for
 * proctap's recordings: the kernel filters them by pid (set_event_pid), so a switch between two
 * unwatched tasks is not there and the next one's prev is not the last one's next.
 */
final class CompactSched {
    private final FtraceEventBundle.CompactSched.Builder columns = FtraceEventBundle.CompactSched.newBuilder();
    private final Map<String, Integer> interned = new HashMap<>();
    private final boolean wakings;
    private long lastSwitch;
    private long lastWaking;
    private int events;

    /** The task running on this CPU, as trace_processor will have it; unknown before the first switch. */
    private boolean known;
    private int tid;
    private int prio;
    private String comm;

    /** @param wakings whether wake-ups go in the columns as sched_waking */
    CompactSched(boolean wakings) {
        this.wakings = wakings;
    }

    /**
     * Takes {@code e}, an event of this CPU in time order, into the columns when the compact form
     * says all of it; false when it must be written in full. Either way it follows the CPU's
     * running task.
     */
    boolean offer(Event e) {
        switch (e) {
            case SchedSwitch s -> {
                boolean inferred = known && s.prevTid() == tid && s.prevPrio() == prio && text(s.prevComm()).equals(comm);
                if (inferred) {
                    columns.addSwitchTimestamp(s.ts() - lastSwitch).addSwitchPrevState(s.prevState())
                            .addSwitchNextPid(s.nextTid()).addSwitchNextPrio(s.nextPrio())
                            .addSwitchNextCommIndex(intern(s.nextComm()));
                    lastSwitch = s.ts();
                    events++;
                }
                known = true;
                tid = s.nextTid();
                prio = s.nextPrio();
                comm = text(s.nextComm());
                return inferred;
            }
            case SchedWakeup w -> {
                if (!wakings || !known || w.tid() != tid) {
                    return false;
                }
                columns.addWakingTimestamp(w.ts() - lastWaking).addWakingPid(w.wakee()).addWakingTargetCpu(w.targetCpu())
                        .addWakingPrio(w.prio()).addWakingCommIndex(intern(w.comm()));
                lastWaking = w.ts();
                events++;
                return true;
            }
            case TaskRename r -> {
                if (known && r.task() == tid) {
                    comm = text(r.newComm());
                }
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    /** Events in the columns. */
    int events() {
        return events;
    }

    /** Moves the columns into {@code bundle}; the next bundle's start anew (deltas and table). */
    void drainInto(FtraceEventBundle.Builder bundle) {
        if (events > 0) {
            bundle.setCompactSched(columns);
        }
        columns.clear();
        interned.clear();
        lastSwitch = 0;
        lastWaking = 0;
        events = 0;
    }

    private int intern(String s) {
        String key = text(s);
        Integer index = interned.get(key);
        if (index == null) {
            index = interned.size();
            interned.put(key, index);
            columns.addInternTable(key);
        }
        return index;
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }
}
