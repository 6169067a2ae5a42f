package org.proctap.event;

/** {@code sched:sched_process_fork}: thread {@code parentTid} created task {@code childTid}. */
public record ProcessFork(long ts, int cpu, int tid, String parentComm, int parentTid, String childComm,
                          int childTid) implements Event {
}
