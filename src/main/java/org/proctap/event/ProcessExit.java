package org.proctap.event;

/**
 * {@code sched:sched_process_exit}: task {@code task} is exiting; {@code groupDead} is true for
 * the last live thread of its process. The tracepoint carries no exit code.
 */
public record ProcessExit(long ts, int cpu, int tid, String comm, int task, int prio, boolean groupDead)
        implements Event {
}
