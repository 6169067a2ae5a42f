package org.proctap.event;

/**
 * {@code sched:sched_process_exec}: task {@code pid} (formerly {@code oldPid}, which differs when a
 * non-leader thread execs and takes over the leader's id) now runs {@code filename}, the path as
 * the caller passed it to execve.
 */
public record ProcessExec(long ts, int cpu, int tid, String filename, int pid, int oldPid) implements Event {
}
