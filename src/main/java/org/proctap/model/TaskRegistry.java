package org.proctap.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which tasks exist, which process each belongs to, and which processes are watched. The rules:
 * a process is watched when it is pinned (-p, the command, a descendant under -f or of the
 * command) or, in NAME mode, when its name matches; all its threads are watched with it, whatever
 * they call themselves (Java threads rename themselves). A task proctap never heard of is not
 * watched: every watched task is known from the start-up scan, a fork, or an exec.
 */
public final class TaskRegistry {
    private final TargetSpec spec;
    private final Map<Integer, Task> tasks = new HashMap<>();
    private final Map<Integer, Proc> procs = new HashMap<>();
    private long nextIncarnation = 1;

    public TaskRegistry(TargetSpec spec) {
        this.spec = spec;
    }

    public TargetSpec spec() {
        return spec;
    }

    public Task task(int tid) {
        return tasks.get(tid);
    }

    public Proc proc(int tgid) {
        return procs.get(tgid);
    }

    public boolean watched(int tid) {
        Task t = tasks.get(tid);
        return t != null && t.proc.watched;
    }

    public Collection<Proc> procs() {
        return procs.values();
    }

    public List<Proc> watchedProcs() {
        List<Proc> result = new ArrayList<>();
        for (Proc p : procs.values()) {
            if (p.watched) {
                result.add(p);
            }
        }
        return result;
    }

    /** Every live task of a watched process. */
    public List<Task> watchedTasks() {
        List<Task> result = new ArrayList<>();
        for (Task t : tasks.values()) {
            if (t.proc.watched && !t.exited) {
                result.add(t);
            }
        }
        return result;
    }

    /** Every live task of process {@code p}. */
    public List<Task> liveTasksOf(Proc p) {
        List<Task> result = new ArrayList<>();
        for (Task t : tasks.values()) {
            if (t.proc == p && !t.exited) {
                result.add(t);
            }
        }
        return result;
    }

    /** Registers a process found by scanning /proc (or started by proctap). */
    public Proc addProcess(int tgid, String name, boolean pinned) {
        Proc p = procs.get(tgid);
        if (p == null) {
            p = new Proc(tgid, name);
            procs.put(tgid, p);
        }
        p.name = name;
        p.pinned |= pinned;
        evaluate(p);
        return p;
    }

    /** Registers a thread of a registered process; replaces a stale task with the same id. */
    public Task addTask(Proc proc, int tid, String comm) {
        Task existing = tasks.get(tid);
        if (existing != null && existing.proc == proc && !existing.exited) {
            existing.comm = comm;
            return existing;
        }
        if (existing != null && !existing.exited) {
            existing.proc.liveTasks--;
        }
        Task t = new Task(tid, nextIncarnation++, proc, comm);
        tasks.put(tid, t);
        proc.liveTasks++;
        proc.knownTasks++;
        return t;
    }

    /**
     * task_newtask/sched_process_fork: {@code parentTid} created {@code childTid}. Returns the
     * child, or null when the parent is unknown (then neither is watched).
     */
    public Task onNewTask(int parentTid, int childTid, boolean thread, String childComm) {
        Task parent = tasks.get(parentTid);
        if (parent == null) {
            return null;
        }
        Proc proc;
        if (thread) {
            proc = parent.proc;
        } else {
            proc = new Proc(childTid, childComm);
            proc.pinned = parent.proc.pinned && spec.mode() == TargetSpec.Mode.COMMAND
                    || parent.proc.watched && spec.watchesDescendants()
                    || parent.proc.watched && spec.mode() == TargetSpec.Mode.CGROUP; // (a child starts in its parent's cgroup)
            proc.cgroup = parent.proc.cgroup;
            Proc stale = procs.put(childTid, proc);
            if (stale != null && stale.liveTasks > 0) {
                // pid reuse while we still thought the old one alive: its exit was lost
                stale.liveTasks = 0;
            }
            evaluate(proc);
        }
        return addTask(proc, childTid, childComm);
    }

    /**
     * sched_process_exec: task {@code oldPid} exec'd and is now {@code pid} (they differ when a
     * non-leader thread execs and takes over the leader's id), named {@code comm}. Registers the
     * process when it starts matching NAME. Returns the task after exec, or null when it is
     * neither known nor matching.
     */
    public Task onExec(int pid, int oldPid, String comm) {
        Task t = tasks.get(oldPid);
        if (t == null && oldPid != pid) {
            t = tasks.get(pid);
        }
        if (t == null) {
            if (spec.mode() != TargetSpec.Mode.NAME || !spec.matcher().matches(comm)) {
                return null;
            }
            Proc p = addProcess(pid, comm, false);
            return addTask(p, pid, comm);
        }
        Proc p = t.proc;
        if (oldPid != pid) {
            // The thread that exec'd took over the leader's id (fs/exec.c, de_thread).
            t.exited = true;
            p.liveTasks--;
            t = addTask(p, pid, comm);
        }
        t.comm = comm;
        p.name = comm;
        ExitTracker.onExec(p);
        evaluate(p);
        return t;
    }

    /** task_rename: a thread renames itself; only the main thread's name is the process name. */
    public void onRename(int tid, String newComm) {
        Task t = tasks.get(tid);
        if (t == null) {
            return;
        }
        t.comm = newComm;
        if (t.tid == t.proc.tgid) {
            t.proc.name = newComm;
            evaluate(t.proc);
        }
    }

    /** sched_process_exit for {@code tid}. Returns the task, or null when unknown. */
    public Task onExit(int tid) {
        Task t = tasks.get(tid);
        if (t == null || t.exited) {
            return t;
        }
        t.exited = true;
        t.proc.liveTasks--;
        return t;
    }

    /** Forgets an exited task once its last switch-out and counters are accounted for. */
    public void retire(Task t) {
        if (tasks.get(t.tid) == t) {
            tasks.remove(t.tid);
        }
        Proc p = t.proc;
        p.knownTasks--;
        if (p.knownTasks <= 0 && procs.get(p.tgid) == p) {
            procs.remove(p.tgid);
        }
    }

    /**
     * --cgroup: process {@code tgid} is now in the watched subtree ({@code inside}) or not, in
     * cgroup {@code path}; {@link Proc#cgroup} is the last one inside. A process proctap did not know is registered (its threads are the
     * caller's to add). Returns the process, or null for one outside that proctap did not know.
     */
    public Proc onCgroupMove(int tgid, String comm, boolean inside, String path) {
        Proc p = procs.get(tgid);
        if (p == null) {
            if (!inside) {
                return null;
            }
            p = addProcess(tgid, comm, true);
        }
        p.pinned = inside; // (in CGROUP mode, pinned means inside)
        if (inside) {
            p.cgroup = path; // (one that left keeps the cgroup it was watched in, for its last rows)
        }
        evaluate(p);
        return p;
    }

    private void evaluate(Proc p) {
        p.watched = p.pinned || spec.mode() == TargetSpec.Mode.NAME && spec.matcher().matches(p.name);
    }

    /** Would a process with this name be watched by name? */
    public boolean nameMatches(String comm) {
        return spec.mode() == TargetSpec.Mode.NAME && spec.matcher().matches(comm);
    }
}
