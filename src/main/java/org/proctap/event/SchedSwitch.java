package org.proctap.event;

/**
 * {@code sched:sched_switch}: {@code prevTid} leaves the CPU, {@code nextTid} runs.
 * {@code prevState & 0xff} is the task state letter set (0 = R, preempted); bit 0x100 adds '+'.
 */
public record SchedSwitch(long ts, int cpu, int tid, String prevComm, int prevTid, int prevPrio, long prevState,
                          String nextComm, int nextTid, int nextPrio) implements Event {
    /** True when prev was still runnable, i.e. it was preempted rather than going to sleep. */
    public boolean preempted() {
        return (prevState & 0xff) == 0;
    }
}
