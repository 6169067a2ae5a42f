package org.proctap.event;

/**
 * {@code task:task_newtask}: {@code tid} created task {@code child} with {@code cloneFlags}
 * (fires in copy_process for fork, vfork, clone and clone3 alike, before sched_process_fork).
 */
public record TaskNew(long ts, int cpu, int tid, int child, String comm, long cloneFlags, int oomScoreAdj)
        implements Event {
    public static final long CLONE_VM = 0x100;
    public static final long CLONE_VFORK = 0x4000;
    public static final long CLONE_THREAD = 0x10000;

    public boolean thread() {
        return (cloneFlags & CLONE_THREAD) != 0;
    }
}
