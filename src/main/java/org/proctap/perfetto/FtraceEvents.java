package org.proctap.perfetto;

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
import org.proctap.perfetto.proto.SchedMigrateTaskFtraceEvent;
import org.proctap.perfetto.proto.SchedProcessExecFtraceEvent;
import org.proctap.perfetto.proto.SchedProcessExitFtraceEvent;
import org.proctap.perfetto.proto.SchedProcessForkFtraceEvent;
import org.proctap.perfetto.proto.SchedSwitchFtraceEvent;
import org.proctap.perfetto.proto.SchedWakeupFtraceEvent;
import org.proctap.perfetto.proto.SchedWakeupNewFtraceEvent;
import org.proctap.perfetto.proto.SchedWakingFtraceEvent;
import org.proctap.perfetto.proto.SoftirqEntryFtraceEvent;
import org.proctap.perfetto.proto.SoftirqExitFtraceEvent;
import org.proctap.perfetto.proto.TaskNewtaskFtraceEvent;
import org.proctap.perfetto.proto.TaskRenameFtraceEvent;

/**
 * One proctap event as the FtraceEvent Perfetto's traced_probes would have written for the same
 * tracepoint hit: the tracepoint's own fields under Perfetto's names
 * (protos/perfetto/trace/ftrace/sched.proto, task.proto, irq.proto), the timestamp, and
 * common_pid as {@code pid}. The CPU is the bundle's.
 *
 * <p>What Perfetto's messages have no field for is not written: sched_process_exit's
 * group_dead (Linux 6.13+). Events Perfetto has no message for, or whose message lacks fields
 * proctap keeps (signals: errno and sa_handler; device interrupts: the handler's name), are not
 * translated.
 */
final class FtraceEvents {
    private final Wakeups wakeups;
    // Reused (cleared) for each event: a pipe storm is millions of switches, and a message's
    // build() copies the builder's fields, so the builders need not be new.
    private final FtraceEvent.Builder event = FtraceEvent.newBuilder();
    private final SchedSwitchFtraceEvent.Builder sw = SchedSwitchFtraceEvent.newBuilder();

    FtraceEvents(Wakeups wakeups) {
        this.wakeups = wakeups;
    }

    /** The event as an FtraceEvent, or null when it has none. */
    FtraceEvent translate(Event e) {
        FtraceEvent.Builder b = event.clear().setTimestamp(e.ts()).setPid(e.tid());
        switch (e) {
            case SchedSwitch s -> b.setSchedSwitch(sw.clear()
                    .setPrevComm(text(s.prevComm())).setPrevPid(s.prevTid()).setPrevPrio(s.prevPrio())
                    .setPrevState(s.prevState())
                    .setNextComm(text(s.nextComm())).setNextPid(s.nextTid()).setNextPrio(s.nextPrio()));
            case SchedWakeup w -> wakeup(b, w);
            case ProcessFork f -> b.setSchedProcessFork(SchedProcessForkFtraceEvent.newBuilder()
                    .setParentComm(text(f.parentComm())).setParentPid(f.parentTid())
                    .setChildComm(text(f.childComm())).setChildPid(f.childTid()));
            case ProcessExec x -> b.setSchedProcessExec(SchedProcessExecFtraceEvent.newBuilder()
                    .setFilename(text(x.filename())).setPid(x.pid()).setOldPid(x.oldPid()));
            case ProcessExit x -> b.setSchedProcessExit(SchedProcessExitFtraceEvent.newBuilder()
                    .setComm(text(x.comm())).setPid(x.task()).setPrio(x.prio()));
            case TaskNew t -> b.setTaskNewtask(TaskNewtaskFtraceEvent.newBuilder()
                    .setPid(t.child()).setComm(text(t.comm())).setCloneFlags(t.cloneFlags())
                    .setOomScoreAdj(t.oomScoreAdj()));
            case TaskRename r -> b.setTaskRename(TaskRenameFtraceEvent.newBuilder()
                    .setPid(r.task()).setOldcomm(text(r.oldComm())).setNewcomm(text(r.newComm()))
                    .setOomScoreAdj(r.oomScoreAdj()));
            case SchedMigrate m -> b.setSchedMigrateTask(SchedMigrateTaskFtraceEvent.newBuilder()
                    .setComm(text(m.comm())).setPid(m.task()).setPrio(m.prio())
                    .setOrigCpu(m.origCpu()).setDestCpu(m.destCpu()));
            case SoftirqEntry s -> b.setSoftirqEntry(SoftirqEntryFtraceEvent.newBuilder().setVec(s.vec()));
            case SoftirqExit s -> b.setSoftirqExit(SoftirqExitFtraceEvent.newBuilder().setVec(s.vec()));
            default -> {
                return null;
            }
        }
        return b.build();
    }

    private void wakeup(FtraceEvent.Builder b, SchedWakeup w) {
        String comm = text(w.comm());
        if (wakeups == Wakeups.AS_WAKING) {
            b.setSchedWaking(SchedWakingFtraceEvent.newBuilder()
                    .setComm(comm).setPid(w.wakee()).setPrio(w.prio()).setTargetCpu(w.targetCpu()));
        } else if (w.newTask()) {
            b.setSchedWakeupNew(SchedWakeupNewFtraceEvent.newBuilder()
                    .setComm(comm).setPid(w.wakee()).setPrio(w.prio()).setTargetCpu(w.targetCpu()));
        } else {
            b.setSchedWakeup(SchedWakeupFtraceEvent.newBuilder()
                    .setComm(comm).setPid(w.wakee()).setPrio(w.prio()).setTargetCpu(w.targetCpu()));
        }
    }

    /** protobuf-java refuses null strings; a decoder that could not read a name gives none. */
    private static String text(String s) {
        return s == null ? "" : s;
    }
}
