package org.proctap.perfetto;

/**
 * Which ftrace event a {@link org.proctap.event.SchedWakeup} becomes.
 *
 * <p>proctap records sched_wakeup and sched_wakeup_new, but trace_processor builds its thread
 * states ("Runnable" from a wake-up to the switch-in, and the waker) from sched_waking alone;
 * sched_wakeup and sched_wakeup_new only reach its raw ftrace_event table
 * (src/trace_processor/importers/ftrace/ftrace_parser.cc ParseSchedWaking). sched_waking fires
 * at the start of try_to_wake_up(), sched_wakeup when the task is on the run queue
 * (kernel/sched/core.c ttwu_do_wakeup()), so a sched_wakeup's time taken as a waking starts the
 * Runnable state when the wait on the run queue starts, as proctap's own wait column does.
 */
public enum Wakeups {
    /** Every wake-up as sched_waking, so the Perfetto UI shows waits and wakers (the default). */
    AS_WAKING,
    /** As recorded: sched_wakeup, and sched_wakeup_new for a new task's first wake-up. */
    AS_RECORDED
}
