package org.proctap.event;

/** {@code sched:sched_migrate_task}: {@code task} moves from {@code origCpu}'s run queue to {@code destCpu}'s. */
public record SchedMigrate(long ts, int cpu, int tid, String comm, int task, int prio, int origCpu, int destCpu)
        implements Event {
}
