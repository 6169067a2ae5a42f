package org.proctap.perfetto;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.proctap.event.Event;
import org.proctap.event.SchedSwitch;
import org.proctap.event.SchedWakeup;
import org.proctap.event.TaskRename;
import org.proctap.perfetto.proto.FtraceEvent;
import org.proctap.perfetto.proto.FtraceEventBundle;
import org.proctap.perfetto.proto.TracePacket;

/**
 * Each CPU's events read back from bundles that hold compact_sched columns, the way
 * trace_processor reads them (src/trace_processor/importers/ftrace/ftrace_tokenizer.cc
 * TokenizeFtraceCompactSched, ftrace_sched_event_tracker.cc PushSchedSwitchCompact and
 * PushSchedWakingCompact): timestamps summed from their deltas, comms from the bundle's intern
 * table, a switch's prev_* from the previous switch on its CPU (its comm as renamed since) and a
 * waking's waker the task running on its CPU.
 */
final class CompactReader {
    /** Marks what the columns leave out, until inferred. */
    private static final int UNKNOWN = -1;

    private CompactReader() {
    }

    /** Per CPU, in time order (at one time: full events, then wakings, then switches). */
    static List<List<Event>> events(List<TracePacket> packets, int cpus) {
        List<List<Event>> perCpu = new ArrayList<>();
        for (int cpu = 0; cpu < cpus; cpu++) {
            perCpu.add(new ArrayList<>());
        }
        for (TracePacket p : packets) {
            if (!p.hasFtraceEvents()) {
                continue;
            }
            FtraceEventBundle b = p.getFtraceEvents();
            int cpu = b.getCpu();
            List<Event> bundle = new ArrayList<>();
            for (FtraceEvent f : b.getEventList()) {
                bundle.add(TraceFile.event(f, cpu));
            }
            FtraceEventBundle.CompactSched c = b.getCompactSched();
            List<String> comms = c.getInternTableList();
            long ts = 0;
            for (int i = 0; i < c.getWakingTimestampCount(); i++) {
                ts += c.getWakingTimestamp(i);
                bundle.add(new SchedWakeup(ts, cpu, UNKNOWN, comms.get(c.getWakingCommIndex(i)), c.getWakingPid(i),
                        c.getWakingPrio(i), c.getWakingTargetCpu(i), false));
            }
            ts = 0;
            for (int i = 0; i < c.getSwitchTimestampCount(); i++) {
                ts += c.getSwitchTimestamp(i);
                bundle.add(new SchedSwitch(ts, cpu, UNKNOWN, null, UNKNOWN, UNKNOWN, c.getSwitchPrevState(i),
                        comms.get(c.getSwitchNextCommIndex(i)), c.getSwitchNextPid(i), c.getSwitchNextPrio(i)));
            }
            // Stable: full events, then wakings, then switches at one time.
            bundle.sort(Comparator.comparingLong(Event::ts));
            perCpu.get(cpu).addAll(bundle);
        }
        for (List<Event> events : perCpu) {
            infer(events);
        }
        return perCpu;
    }

    /** Fills in what the previous switch of the CPU says, in place. */
    private static void infer(List<Event> events) {
        int tid = UNKNOWN;
        int prio = UNKNOWN;
        String comm = null;
        for (int i = 0; i < events.size(); i++) {
            switch (events.get(i)) {
                case SchedSwitch s when s.tid() == UNKNOWN && s.prevComm() == null -> {
                    // common_pid of a switch is the task leaving.
                    events.set(i, new SchedSwitch(s.ts(), s.cpu(), tid, comm, tid, prio, s.prevState(), s.nextComm(),
                            s.nextTid(), s.nextPrio()));
                    tid = s.nextTid();
                    prio = s.nextPrio();
                    comm = s.nextComm();
                }
                case SchedSwitch s -> {
                    tid = s.nextTid();
                    prio = s.nextPrio();
                    comm = s.nextComm();
                }
                case SchedWakeup w when w.tid() == UNKNOWN ->
                        events.set(i, new SchedWakeup(w.ts(), w.cpu(), tid, w.comm(), w.wakee(), w.prio(), w.targetCpu(),
                                w.newTask()));
                case TaskRename r -> {
                    if (r.task() == tid) {
                        comm = r.newComm();
                    }
                }
                default -> {
                }
            }
        }
    }
}
