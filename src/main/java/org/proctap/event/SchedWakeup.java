package org.proctap.event;

/**
 * {@code sched:sched_wakeup} ({@code newTask} false) or {@code sched:sched_wakeup_new} (true, the
 * first wake-up of a freshly forked task): {@code wakee} was made runnable on {@code targetCpu}.
 * {@code tid} is the waker (0 when woken from an interrupt on an idle CPU).
 */
public record SchedWakeup(long ts, int cpu, int tid, String comm, int wakee, int prio, int targetCpu,
                          boolean newTask) implements Event {
}
