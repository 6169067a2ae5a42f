package org.proctap.event;

/** {@code task:task_rename}: task {@code task} changes its comm (prctl, or exec just before sched_process_exec). */
public record TaskRename(long ts, int cpu, int tid, int task, String oldComm, String newComm, int oomScoreAdj)
        implements Event {
}
