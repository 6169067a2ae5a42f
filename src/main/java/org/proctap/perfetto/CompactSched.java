package org.proctap.perfetto;

import java.util.HashMap;
import java.util.Map;

import org.proctap.event.SchedSwitch;
import org.proctap.event.SchedWakeup;
import org.proctap.perfetto.proto.FtraceEventBundle;

/**
 * One CPU's sched_switch and sched_waking events of a bundle in Perfetto's compact form
 * (protos/perfetto/trace/ftrace/ftrace_event_bundle.proto CompactSched, what traced_probes writes
 * with compact_sched enabled): ~9 bytes a switch instead of ~45.
 *
 * <p>It drops what trace_processor can infer: a switch's prev_comm, prev_pid and prev_prio (the
 * previous switch's next_* on that CPU; the first switch of each CPU in the trace therefore starts
 * no slice, ftrace_sched_event_tracker.cc PushSchedSwitchCompact) and a waking's waker (the task
 * running on the CPU). proctap's wake-ups are sched_wakeup's hits taken as sched_waking
 * ({@link Wakeups#AS_WAKING}).
 */
final class CompactSched {
    private final FtraceEventBundle.CompactSched.Builder columns = FtraceEventBundle.CompactSched.newBuilder();
    private final Map<String, Integer> interned = new HashMap<>();
    private long lastSwitch;
    private long lastWaking;
    private int events;

    void add(SchedSwitch s) {
        columns.addSwitchTimestamp(s.ts() - lastSwitch).addSwitchPrevState(s.prevState())
                .addSwitchNextPid(s.nextTid()).addSwitchNextPrio(s.nextPrio())
                .addSwitchNextCommIndex(intern(s.nextComm()));
        lastSwitch = s.ts();
        events++;
    }

    void add(SchedWakeup w) {
        columns.addWakingTimestamp(w.ts() - lastWaking).addWakingPid(w.wakee()).addWakingTargetCpu(w.targetCpu())
                .addWakingPrio(w.prio()).addWakingCommIndex(intern(w.comm()));
        lastWaking = w.ts();
        events++;
    }

    int events() {
        return events;
    }

    /** Moves the columns into {@code bundle} and starts the next bundle's (deltas and table anew). */
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

    private int intern(String comm) {
        String s = comm == null ? "" : comm;
        Integer index = interned.get(s);
        if (index == null) {
            index = interned.size();
            interned.put(s, index);
            columns.addInternTable(s);
        }
        return index;
    }
}
