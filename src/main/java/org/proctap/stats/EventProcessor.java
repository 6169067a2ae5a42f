package org.proctap.stats;

import org.proctap.event.CgroupAttach;
import org.proctap.event.Event;
import org.proctap.event.IrqEntry;
import org.proctap.event.IrqExit;
import org.proctap.event.ProcessExec;
import org.proctap.event.ProcessExit;
import org.proctap.event.ProcessFork;
import org.proctap.event.SchedMigrate;
import org.proctap.event.SchedRuntime;
import org.proctap.event.SchedSwitch;
import org.proctap.event.SchedWakeup;
import org.proctap.event.SignalDeliver;
import org.proctap.event.SignalGenerate;
import org.proctap.event.SoftirqEntry;
import org.proctap.event.SoftirqExit;
import org.proctap.event.SyscallEnter;
import org.proctap.event.TaskNew;
import org.proctap.event.TaskRename;
import org.proctap.event.TimerEntry;
import org.proctap.event.TimerExit;

/**
 * Feeds time-ordered events to the accounting and the life cycle. Every event first tells the
 * accounting who is current on its CPU.
 */
public final class EventProcessor {
    private final SchedAccounting accounting;
    private final Lifecycle lifecycle;

    public EventProcessor(SchedAccounting accounting, Lifecycle lifecycle) {
        this.accounting = accounting;
        this.lifecycle = lifecycle;
    }

    public void accept(Event e) {
        switch (e) {
            case SchedSwitch s -> accounting.onSwitch(s.ts(), s.cpu(), s.prevTid(), s.nextTid(), s.prevState());
            case TimerEntry t -> accounting.onTimerEntry(t.ts(), t.cpu(), t.tid());
            case TimerExit t -> accounting.onTimerExit(t.ts(), t.cpu(), t.tid());
            case SchedRuntime r -> accounting.onRuntime(r.ts(), r.cpu(), r.tid(), r.pid(), r.runtimeNs());
            case SchedWakeup w -> accounting.onWakeup(w.ts(), w.cpu(), w.tid(), w.wakee(), w.targetCpu());
            case SchedMigrate m -> accounting.onMigrate(m.ts(), m.cpu(), m.tid(), m.task());
            case TaskNew n -> {
                accounting.observe(n.ts(), n.cpu(), n.tid());
                lifecycle.onTaskNew(n);
            }
            case ProcessFork f -> {
                accounting.observe(f.ts(), f.cpu(), f.tid());
                lifecycle.onFork(f);
            }
            case ProcessExec x -> {
                accounting.observe(x.ts(), x.cpu(), x.tid());
                lifecycle.onExec(x);
            }
            case ProcessExit x -> {
                accounting.observe(x.ts(), x.cpu(), x.tid());
                lifecycle.onExit(x);
            }
            case TaskRename r -> {
                accounting.observe(r.ts(), r.cpu(), r.tid());
                lifecycle.onRename(r);
            }
            case SyscallEnter s -> {
                accounting.observe(s.ts(), s.cpu(), s.tid());
                lifecycle.onSyscall(s);
            }
            case SignalGenerate g -> {
                accounting.observe(g.ts(), g.cpu(), g.tid());
                lifecycle.onSignalGenerate(g);
            }
            case IrqEntry x -> accounting.onIrqEntry(x.ts(), x.cpu(), x.tid());
            case IrqExit x -> {
                if (x.irq() >= 0) {
                    accounting.onIrqExit(x.ts(), x.cpu(), x.tid());
                } else {
                    accounting.observe(x.ts(), x.cpu(), x.tid());
                }
            }
            case SoftirqEntry x -> accounting.onSoftirqEntry(x.ts(), x.cpu(), x.tid(), x.vec());
            case SoftirqExit x -> accounting.onSoftirqExit(x.ts(), x.cpu(), x.tid(), x.vec());
            case CgroupAttach c -> {
                accounting.observe(c.ts(), c.cpu(), c.tid());
                lifecycle.onCgroupAttach(c);
            }
            case SignalDeliver d -> {
                accounting.observe(d.ts(), d.cpu(), d.tid());
                lifecycle.onSignalDeliver(d);
            }
        }
    }
}
