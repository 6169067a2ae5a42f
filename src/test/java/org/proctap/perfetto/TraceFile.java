package org.proctap.perfetto;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

import org.proctap.event.Event;
import org.proctap.event.ProcessExec;
import org.proctap.event.ProcessExit;
import org.proctap.event.ProcessFork;
import org.proctap.event.SchedMigrate;
import org.proctap.event.SchedSwitch;
import org.proctap.event.SchedWakeup;
import org.proctap.event.SoftirqEntry;
import org.proctap.event.SoftirqExit;
import org.proctap.event.TaskNew;
import org.proctap.event.TaskRename;
import org.proctap.perfetto.proto.FtraceEvent;
import org.proctap.perfetto.proto.TracePacket;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.WireFormat;

/**
 * Reads a written trace back with the generated classes: packets one at a time from a stream
 * (so that a large trace is never held whole), and each FtraceEvent as the proctap event it
 * says, so a test compares records with equals (every field at once).
 */
public final class TraceFile {
    private TraceFile() {
    }

    /** Every packet of a Trace (field 1 records), in file order; nothing else may be there. */
    public static long packets(InputStream in, Consumer<TracePacket> each) {
        CodedInputStream c = CodedInputStream.newInstance(in, 1 << 16);
        c.setSizeLimit(Integer.MAX_VALUE);
        long n = 0;
        try {
            for (int tag = c.readTag(); tag != 0; tag = c.readTag()) {
                if (WireFormat.getTagFieldNumber(tag) != 1 || WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    throw new AssertionError("not a Trace.packet record: tag " + tag + " at " + c.getTotalBytesRead());
                }
                TracePacket.Builder p = TracePacket.newBuilder();
                c.readMessage(p, ExtensionRegistryLite.getEmptyRegistry());
                c.resetSizeCounter();
                each.accept(p.build());
                n++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    /**
     * The event an FtraceEvent of bundle {@code cpu} says. What Perfetto's messages do not carry
     * comes back as the writer is documented to leave it: group_dead false, and under
     * {@link Wakeups#AS_WAKING} every wake-up a plain one.
     */
    static Event event(FtraceEvent f, int cpu) {
        long ts = f.getTimestamp();
        int tid = f.getPid();
        return switch (f.getEventCase()) {
            case SCHED_SWITCH -> {
                var s = f.getSchedSwitch();
                yield new SchedSwitch(ts, cpu, tid, s.getPrevComm(), s.getPrevPid(), s.getPrevPrio(), s.getPrevState(),
                        s.getNextComm(), s.getNextPid(), s.getNextPrio());
            }
            case SCHED_WAKING -> {
                var w = f.getSchedWaking();
                yield new SchedWakeup(ts, cpu, tid, w.getComm(), w.getPid(), w.getPrio(), w.getTargetCpu(), false);
            }
            case SCHED_WAKEUP -> {
                var w = f.getSchedWakeup();
                yield new SchedWakeup(ts, cpu, tid, w.getComm(), w.getPid(), w.getPrio(), w.getTargetCpu(), false);
            }
            case SCHED_WAKEUP_NEW -> {
                var w = f.getSchedWakeupNew();
                yield new SchedWakeup(ts, cpu, tid, w.getComm(), w.getPid(), w.getPrio(), w.getTargetCpu(), true);
            }
            case SCHED_PROCESS_FORK -> {
                var x = f.getSchedProcessFork();
                yield new ProcessFork(ts, cpu, tid, x.getParentComm(), x.getParentPid(), x.getChildComm(), x.getChildPid());
            }
            case SCHED_PROCESS_EXEC -> {
                var x = f.getSchedProcessExec();
                yield new ProcessExec(ts, cpu, tid, x.getFilename(), x.getPid(), x.getOldPid());
            }
            case SCHED_PROCESS_EXIT -> {
                var x = f.getSchedProcessExit();
                yield new ProcessExit(ts, cpu, tid, x.getComm(), x.getPid(), x.getPrio(), false);
            }
            case TASK_NEWTASK -> {
                var x = f.getTaskNewtask();
                yield new TaskNew(ts, cpu, tid, x.getPid(), x.getComm(), x.getCloneFlags(), x.getOomScoreAdj());
            }
            case TASK_RENAME -> {
                var x = f.getTaskRename();
                yield new TaskRename(ts, cpu, tid, x.getPid(), x.getOldcomm(), x.getNewcomm(), x.getOomScoreAdj());
            }
            case SCHED_MIGRATE_TASK -> {
                var x = f.getSchedMigrateTask();
                yield new SchedMigrate(ts, cpu, tid, x.getComm(), x.getPid(), x.getPrio(), x.getOrigCpu(), x.getDestCpu());
            }
            case SOFTIRQ_ENTRY -> new SoftirqEntry(ts, cpu, tid, f.getSoftirqEntry().getVec());
            case SOFTIRQ_EXIT -> new SoftirqExit(ts, cpu, tid, f.getSoftirqExit().getVec());
            case EVENT_NOT_SET -> throw new AssertionError("FtraceEvent with no event at " + ts);
        };
    }

    /** The input event as {@link #event} can give it back: what the format does not carry, cleared. */
    static Event expected(Event e, Wakeups wakeups) {
        return switch (e) {
            case ProcessExit x -> new ProcessExit(x.ts(), x.cpu(), x.tid(), x.comm(), x.task(), x.prio(), false);
            case SchedWakeup w when wakeups == Wakeups.AS_WAKING ->
                    new SchedWakeup(w.ts(), w.cpu(), w.tid(), w.comm(), w.wakee(), w.prio(), w.targetCpu(), false);
            default -> e;
        };
    }
}
