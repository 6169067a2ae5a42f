package org.proctap.stats;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.proctap.event.CgroupAttach;
import org.proctap.event.ProcessExec;
import org.proctap.event.ProcessExit;
import org.proctap.event.ProcessFork;
import org.proctap.event.SignalDeliver;
import org.proctap.event.SignalGenerate;
import org.proctap.event.SyscallEnter;
import org.proctap.event.SyscallEnter.Syscall;
import org.proctap.event.TaskNew;
import org.proctap.event.TaskRename;
import org.proctap.model.CgroupTarget;
import org.proctap.model.ExitTracker;
import org.proctap.model.Proc;
import org.proctap.model.Task;
import org.proctap.model.TaskRegistry;
import org.proctap.proc.ProcFs;
import org.proctap.report.ExecReport;
import org.proctap.report.ExitReport;
import org.proctap.report.ForkReport;
import org.proctap.report.Report;

/**
 * Process life cycle from tracepoints: keeps the registry true as tasks fork, exec, rename and
 * exit, and reports what watched processes do. Works with the accounting so that a task's time is
 * attributed to what it was (watched or not) at each moment.
 */
public final class Lifecycle {
    /** Keeps the kernel-side filter in step with who is watched. */
    public interface KernelFilter {
        /** How a task came to be watched (a filter that follows forks itself ignores CHILD). */
        enum Why { EXEC, ADOPTED, CHILD, RENAMED }

        /** {@code tid}, now named {@code comm}, is watched. */
        void watch(int tid, String comm, Why why);

        /** {@code tid} exited. */
        void forget(int tid);
    }

    private final TaskRegistry registry;
    private final SchedAccounting accounting;
    private final Consumer<Report> reports;
    private final KernelFilter filter;
    private final boolean exitHasGroupDead;
    /** Last fork-family syscall entered per task, consumed by the task creation it causes. */
    private final Map<Integer, SyscallEnter> forkSyscall = new HashMap<>();
    /** Pending execve/execveat per task (any task: a process may exec into a watched name). */
    private final Map<Integer, SyscallEnter> execSyscall = new HashMap<>();
    /** task_newtask carries the clone flags; sched_process_fork follows it. */
    private final Map<Integer, TaskNew> newTasks = new HashMap<>();
    /** The comm set by exec (task_rename fires just before sched_process_exec). */
    private final Map<Integer, String> execComm = new HashMap<>();

    /**
     * What Lifecycle asks of the machine about a process it did not know: /proc while watching,
     * what the recording's own events said while reporting one.
     */
    public interface Processes {
        /** The process of thread {@code tid}; 0 or less when unknown. */
        int tgidOf(int tid);

        /** The threads of process {@code tgid} (empty when unknown). */
        List<Integer> threadsOf(int tgid);

        String commOf(int tgid, int tid);

        /** This machine's, now. */
        Processes PROC = new Processes() {
            @Override
            public int tgidOf(int tid) {
                return ProcFs.tgidOf(tid);
            }

            @Override
            public List<Integer> threadsOf(int tgid) {
                return ProcFs.threadsOf(tgid);
            }

            @Override
            public String commOf(int tgid, int tid) {
                return ProcFs.commOf(tgid, tid);
            }
        };
    }

    private final Processes processes;

    public Lifecycle(TaskRegistry registry, SchedAccounting accounting, Consumer<Report> reports,
                     KernelFilter filter, boolean exitHasGroupDead) {
        this(registry, accounting, reports, filter, exitHasGroupDead, Processes.PROC);
    }

    public Lifecycle(TaskRegistry registry, SchedAccounting accounting, Consumer<Report> reports,
                     KernelFilter filter, boolean exitHasGroupDead, Processes processes) {
        this.processes = processes;
        this.registry = registry;
        this.accounting = accounting;
        this.reports = reports;
        this.filter = filter;
        this.exitHasGroupDead = exitHasGroupDead;
    }

    public void onSyscall(SyscallEnter e) {
        switch (e.syscall()) {
            case CLONE, CLONE3, FORK, VFORK -> {
                if (registry.task(e.tid()) != null) {
                    forkSyscall.put(e.tid(), e);
                }
            }
            case EXECVE, EXECVEAT -> {
                if (execSyscall.size() > 4096) {
                    execSyscall.clear(); // failed execs never see sched_process_exec: don't grow
                }
                execSyscall.put(e.tid(), e);
            }
            case EXIT, EXIT_GROUP -> {
                Task t = registry.task(e.tid());
                if (t != null) {
                    ExitTracker.onExitSyscall(t, e.syscall() == Syscall.EXIT_GROUP, (int) e.arg());
                }
            }
        }
    }

    public void onTaskNew(TaskNew e) {
        if (registry.task(e.tid()) != null) {
            newTasks.put(e.child(), e);
        }
    }

    public void onFork(ProcessFork e) {
        Task parent = registry.task(e.parentTid());
        TaskNew created = newTasks.remove(e.childTid());
        if (parent == null) {
            return;
        }
        long flags = created != null ? created.cloneFlags() : 0;
        boolean thread = (flags & TaskNew.CLONE_THREAD) != 0;
        SyscallEnter sys = forkSyscall.remove(e.parentTid());
        Syscall syscall = sys != null && sys.ts() <= e.ts() ? sys.syscall() : null;
        Task child = registry.onNewTask(e.parentTid(), e.childTid(), thread, e.childComm());
        if (child != null && child.watched()) {
            accounting.born(child);
            filter.watch(e.childTid(), e.childComm(), KernelFilter.Why.CHILD);
        }
        if (parent.watched()) {
            reports.accept(new ForkReport(e.ts(), e.cpu(), parent.tid, parent.tgid(), parent.comm, e.childTid(),
                    child != null ? child.tgid() : e.childTid(), e.childComm(),
                    created != null ? ForkKind.classify(syscall, flags) : (syscall == Syscall.VFORK ? "vfork" : "fork"),
                    syscall != null ? syscall.syscallName() : null, thread, flags));
        }
    }

    public void onRename(TaskRename e) {
        if (execSyscall.containsKey(e.task()) || execSyscall.containsKey(e.tid())) {
            execComm.put(e.task(), e.newComm());
            return; // part of an exec: handled with sched_process_exec
        }
        Task t = registry.task(e.task());
        if (t == null) {
            adoptRenamed(e);
            return;
        }
        boolean was = t.watched();
        accounting.split(e.ts(), t);
        registry.onRename(e.task(), e.newComm());
        if (t.watched()) {
            filter.watch(e.task(), e.newComm(), KernelFilter.Why.RENAMED);
        }
        if (!was && t.watched() && e.tid() == e.task()) {
            accounting.startedRunning(e.ts(), e.cpu(), t);
        }
    }

    /** A process proctap did not know renamed its main thread to a watched name (prctl). */
    private void adoptRenamed(TaskRename e) {
        if (!registry.nameMatches(e.newComm())) {
            return;
        }
        int tgid = processes.tgidOf(e.task());
        if (tgid != e.task()) {
            return; // not the main thread (or gone): the process name did not change
        }
        Proc p = registry.addProcess(tgid, e.newComm(), false);
        Task renamed = null;
        for (int tid : processes.threadsOf(tgid)) {
            Task t = registry.addTask(p, tid, tid == tgid ? e.newComm() : processes.commOf(tgid, tid));
            filter.watch(tid, t.comm, KernelFilter.Why.ADOPTED);
            if (tid == e.task()) {
                renamed = t;
            }
        }
        if (renamed == null) {
            renamed = registry.addTask(p, e.task(), e.newComm());
            filter.watch(e.task(), e.newComm(), KernelFilter.Why.ADOPTED);
        }
        if (e.tid() == e.task()) {
            accounting.startedRunning(e.ts(), e.cpu(), renamed);
        }
    }

    public void onExec(ProcessExec e) {
        SyscallEnter sys = execSyscall.remove(e.oldPid());
        if (sys == null && e.oldPid() != e.pid()) {
            sys = execSyscall.remove(e.pid());
        }
        String comm = execComm.remove(e.pid());
        if (comm == null) {
            comm = commFromPath(e.filename());
        }
        Task before = registry.task(e.oldPid());
        boolean was = before != null && before.watched();
        if (before != null) {
            accounting.split(e.ts(), before);
        }
        Task after = registry.onExec(e.pid(), e.oldPid(), comm);
        if (before != null && after != null && after != before) {
            accounting.replace(e.ts(), before, after);
        }
        boolean now = after != null && after.watched();
        if (!was && now) {
            filter.watch(e.pid(), comm, KernelFilter.Why.EXEC);
            accounting.startedRunning(e.ts(), e.cpu(), after);
        }
        if (was || now) {
            reports.accept(new ExecReport(e.ts(), e.cpu(), e.pid(), after != null ? after.tgid() : e.pid(), e.oldPid(),
                    e.filename(), sys != null ? sys.syscall().syscallName() : null, comm));
        }
    }

    public void onExit(ProcessExit e) {
        forkSyscall.remove(e.task());
        execSyscall.remove(e.task());
        Task t = registry.onExit(e.task());
        if (t == null) {
            return;
        }
        filter.forget(e.task());
        boolean groupDead = exitHasGroupDead ? e.groupDead() : t.proc.liveTasks <= 0;
        if (groupDead && t.proc.watched) {
            reports.accept(new ExitReport(e.ts(), e.cpu(), t.tid, t.tgid(), t.proc.name,
                    ExitTracker.statusAtGroupDeath(t.proc)));
        }
    }

    /**
     * --cgroup: a process moved on the v2 hierarchy, into, out of or within the watched subtree.
     * Its slices running now are split at the move (SchedAccounting.split), as for an exec; one
     * that joins is registered with its threads, which the kernel filter then keeps. One that
     * leaves stays registered, unwatched, with its totals: if it comes back they go on.
     */
    public void onCgroupAttach(CgroupAttach e) {
        CgroupTarget target = registry.spec().cgroup();
        if (target == null || e.root() != 0) {
            return; // not --cgroup, or a cgroup v1 hierarchy
        }
        int tgid = registry.task(e.pid()) != null ? registry.task(e.pid()).tgid() : processes.tgidOf(e.pid());
        if (tgid <= 0) {
            tgid = e.pid();
        }
        boolean inside = target.contains(e.path());
        Proc before = registry.proc(tgid);
        boolean was = before != null && before.watched;
        if (was != inside && before != null) {
            for (Task t : registry.liveTasksOf(before)) {
                accounting.split(e.ts(), t);
            }
        }
        Proc p = registry.onCgroupMove(tgid, e.comm(), inside, e.path());
        if (p == null || !inside || was) {
            return;
        }
        for (int tid : processes.threadsOf(tgid)) {
            Task t = registry.task(tid);
            if (t == null || t.proc != p || t.exited) {
                t = registry.addTask(p, tid, tid == tgid ? e.comm() : processes.commOf(tgid, tid));
            }
            filter.watch(tid, t.comm, KernelFilter.Why.ADOPTED);
            if (tid == e.tid()) {
                accounting.startedRunning(e.ts(), e.cpu(), t); // it moved itself
            }
        }
    }

    public void onSignalGenerate(SignalGenerate e) {
        Task target = registry.task(e.target());
        if (target != null) {
            ExitTracker.onSignalGenerate(target, e.sig(), e.result());
        }
    }

    public void onSignalDeliver(SignalDeliver e) {
        Task t = registry.task(e.tid());
        if (t != null) {
            ExitTracker.onSignalDeliver(t, e.sig(), e.saHandler());
        }
    }

    /** The comm exec gives a task: the file name's last component, cut to 15 bytes. */
    static String commFromPath(String path) {
        int slash = path.lastIndexOf('/');
        String base = slash >= 0 ? path.substring(slash + 1) : path;
        return base.length() > 15 ? base.substring(0, 15) : base;
    }
}
