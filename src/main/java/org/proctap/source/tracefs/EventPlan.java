package org.proctap.source.tracefs;

import java.util.List;

/**
 * Which tracepoints go to which instance, and why.
 *
 * <p>The scheduling instance keeps only events of watched tasks (a comm filter, or
 * {@code set_event_pid} with {@code event-fork}, so children of traced tasks are traced from
 * their first instruction; kernel/trace/trace_events.c, see {@link KernelFilter}): sched_switch,
 * and sched_stat_runtime, the kernel's own charge of on-CPU time at each update_curr() (about one
 * per switch, plus one per tick and per read of the task's own CPU clock). On-CPU time is the sum
 * of those, the figure /proc schedstat shows, rather than switch-to-switch times, which differ
 * from the kernel's wherever its run-queue clock lags (a task taking over an idle CPU is charged
 * from its wake-up, a preempted one up to its preempter's) and cannot say when a switch the
 * kernel never reported happened. sched_migrate_task says when a watched task moves to another
 * CPU. sched_wakeup (of a watched wakee, whoever wakes it) says where a sleep ends and a wait
 * begins; the wait's length is anchored to the kernel's run_delay (RunDelaySampler).
 *
 * <p>The interrupt events (device irq handlers, softirqs) are kept, like the timer's, for the
 * task they interrupted, which is current when they fire: the comm filter tests its comm, the pid
 * list its CPU's flag. That filter cannot be cheaper than the kernel's test of every such event,
 * watched or not: an interrupt's event is built and then rejected, ~75 ns under the comm filter
 * (as sched_switch), less under the pid list, whose test comes before the event is built
 * (trace_event_ignore_this_pid(), kernel/trace/trace_events.c). Two events per softirq and per
 * handler: nothing measurable at an idle machine's few thousand a second; an unwatched UDP
 * loopback loop, one NET_RX softirq per datagram at ~1 M/s, ran 13% slower under the comm filter
 * and 3% under the pid list (docs/decisions.md).
 *
 * <p>The life-cycle instance is unfiltered and carries rare events: those that can make an
 * unwatched process start matching (exec, rename), every task creation (a process that just
 * exec'd into a watched name can create threads before user space has added it to the pid
 * filter; the filter then cannot follow them, but these events and a /proc scan can), and signals
 * sent to watched tasks from outside.
 *
 * <p>Every system call tracepoint is in the life-cycle instance, exit and exit_group too (rare
 * enough to record unfiltered): each instance that enables any of them hooks sys_enter once more
 * (ftrace_syscall_enter is registered per trace array, kernel/trace/trace_syscalls.c), and that
 * hook runs on every system call of every task, ~25 ns each on this VM (bench/tracefs-costs:
 * 0.1 us per op of the pipe benchmark when they were split over both instances).
 */
final class EventPlan {
    record Tracepoint(String system, String name, boolean required) {
    }

    static final List<Tracepoint> SCHED = List.of(
            new Tracepoint("sched", "sched_switch", true),
            new Tracepoint("sched", "sched_stat_runtime", true),
            new Tracepoint("sched", "sched_migrate_task", true),
            new Tracepoint("sched", "sched_wakeup", true),
            new Tracepoint("irq_vectors", "local_timer_entry", false),
            new Tracepoint("irq_vectors", "local_timer_exit", false),
            new Tracepoint("irq", "irq_handler_entry", false),
            new Tracepoint("irq", "irq_handler_exit", false),
            new Tracepoint("irq", "softirq_entry", false),
            new Tracepoint("irq", "softirq_exit", false),
            new Tracepoint("sched", "sched_process_exit", true),
            new Tracepoint("signal", "signal_deliver", false));

    static final List<Tracepoint> LIFE = List.of(
            new Tracepoint("sched", "sched_process_exec", true),
            new Tracepoint("task", "task_rename", true),
            new Tracepoint("task", "task_newtask", true),
            new Tracepoint("sched", "sched_process_fork", true),
            new Tracepoint("sched", "sched_wakeup_new", true),
            new Tracepoint("syscalls", "sys_enter_clone", false),
            new Tracepoint("syscalls", "sys_enter_clone3", false),
            new Tracepoint("syscalls", "sys_enter_fork", false),
            new Tracepoint("syscalls", "sys_enter_vfork", false),
            new Tracepoint("syscalls", "sys_enter_execve", false),
            new Tracepoint("syscalls", "sys_enter_execveat", false),
            new Tracepoint("syscalls", "sys_enter_exit", false),
            new Tracepoint("syscalls", "sys_enter_exit_group", false),
            new Tracepoint("signal", "signal_generate", false));

    /**
     * --cgroup only, in the life-cycle instance: every move of a process on the v2 hierarchy
     * (filtered to {@code dst_root == 0}). Tracefs filters cannot test a task's cgroup, so
     * membership is followed from these moves, forks and a scan at the start, and the
     * scheduling instance's pid list is kept in step (see README, --cgroup).
     */
    static final List<Tracepoint> CGROUP = List.of(new Tracepoint("cgroup", "cgroup_attach_task", true));

    private EventPlan() {
    }
}
