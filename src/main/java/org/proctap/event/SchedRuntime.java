package org.proctap.event;

/**
 * {@code sched:sched_stat_runtime}: the kernel added {@code runtimeNs} to the on-CPU time
 * ({@code se.sum_exec_runtime}) of task {@code pid}, the time since its previous update. Every
 * update_curr() of a running task fires it (kernel/sched/fair.c update_curr(), and since Linux
 * 6.8 update_curr_common() for the other classes): at every switch-out, tick and wake-up check,
 * and at every read of the task's own CPU clock. The sum of these is exactly what
 * /proc/PID/task/TID/schedstat and CLOCK_THREAD_CPUTIME_ID report. {@code tid} (common_pid) is
 * the task current on the CPU: {@code pid} itself, except when another CPU brought a running
 * task's clock up to date (task_sched_runtime()).
 */
public record SchedRuntime(long ts, int cpu, int tid, String comm, int pid, long runtimeNs) implements Event {
}
