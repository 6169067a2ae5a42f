package org.proctap.model;

/**
 * A process (thread group) as proctap sees it: its name (the comm of its main thread, what ps
 * shows), why it is watched, and what is known about how it will end.
 */
public final class Proc {
    public final int tgid;
    public String name;
    /** Watched whatever its name: -p, the command, or a descendant under -f. */
    public boolean pinned;
    public boolean watched;
    public int liveTasks;
    /** --cgroup: the cgroup v2 path it was last seen in inside the watched one (relative to the root), else null. */
    public String cgroup;
    /** Tasks of this process still in the registry (live, or exited but not yet retired). */
    int knownTasks;

    // Exit status evidence (tracefs has no exit code in sched_process_exit): see ExitTracker.
    Integer decidedWaitStatus;
    int pendingFatalSignal;
    Integer leaderExitCode;

    Proc(int tgid, String name) {
        this.tgid = tgid;
        this.name = name;
    }

    @Override
    public String toString() {
        return "Proc[" + tgid + " " + name + (watched ? " watched" : "") + (pinned ? " pinned" : "") + "]";
    }
}
