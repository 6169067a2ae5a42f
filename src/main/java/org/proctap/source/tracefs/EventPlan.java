package org.proctap.source.tracefs;

import java.util.List;

/**
 * Which tracepoints go to which instance, and why.
 *
 * <p>The scheduling instance is pid-filtered ({@code set_event_pid} with {@code event-fork}, so
 * children of traced tasks are traced from their first instruction; kernel/trace/trace_events.c):
 * it carries sched_switch and everything watched tasks do. Only events of watched tasks reach its
 * buffer.
 *
 * <p>The life-cycle instance is unfiltered and carries rare events: those that can make an
 * unwatched process start matching (exec, rename), every task creation (a process that just
 * exec'd into a watched name can create threads before user space has added it to the pid
 * filter; the filter then cannot follow them, but these events and a /proc scan can), signals
 * sent to watched tasks from outside, and
 * evidence of the idle task, filtered in the kernel to {@code common_pid == 0}:
 * <ul>
 * <li>sched_wakeup in idle context: a task woken onto an idle CPU is activated by that CPU itself
 * (ttwu_queue_cond() queues it on the idle CPU's wake list, kernel/sched/core.c), so these are
 * exactly the wake-ups that start a slice out of idle, and the kernel charges the task from that
 * moment, not from the switch (see SchedAccounting.onSwitch). Wake-ups between running tasks,
 * two per context switch in a ping-pong, are only filtered, never recorded;</li>
 * <li>interrupts that end in idle mark a moment the CPU was still idle, and idle-balance
 * migrations (done in idle context, which the pid filter drops) say when a task was pulled to it.
 * Both place the switch out of idle that this kernel sometimes never reports.</li>
 * </ul>
 *
 * <p>Every system call tracepoint is in the life-cycle instance, exit and exit_group too (rare
 * enough to record unfiltered): each instance that enables any of them hooks sys_enter once more
 * (ftrace_syscall_enter is registered per trace array, kernel/trace/trace_syscalls.c), and that
 * hook runs on every system call of every task, ~25 ns each on this VM (bench/tracefs-costs:
 * 0.1 us per op of the pipe benchmark when they were split over both instances).
 */
final class EventPlan {
    static final String IDLE_ONLY = "common_pid == 0";

    record Tracepoint(String system, String name, boolean required, String filter) {
        Tracepoint(String system, String name, boolean required) {
            this(system, name, required, null);
        }
    }

    static final List<Tracepoint> SCHED = List.of(
            new Tracepoint("sched", "sched_switch", true),
            new Tracepoint("sched", "sched_migrate_task", true),
            new Tracepoint("irq_vectors", "local_timer_entry", false),
            new Tracepoint("irq_vectors", "local_timer_exit", false),
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
            new Tracepoint("signal", "signal_generate", false),
            new Tracepoint("sched", "sched_wakeup", true, IDLE_ONLY),
            new Tracepoint("irq_vectors", "local_timer_exit", false, IDLE_ONLY),
            new Tracepoint("irq_vectors", "reschedule_exit", false, IDLE_ONLY),
            new Tracepoint("irq_vectors", "call_function_exit", false, IDLE_ONLY),
            new Tracepoint("irq_vectors", "call_function_single_exit", false, IDLE_ONLY),
            new Tracepoint("irq", "irq_handler_exit", false, IDLE_ONLY),
            new Tracepoint("sched", "sched_migrate_task", false, IDLE_ONLY));

    private EventPlan() {
    }
}
