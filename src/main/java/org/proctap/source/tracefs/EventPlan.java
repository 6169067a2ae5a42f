package org.proctap.source.tracefs;

import java.util.List;

/**
 * Which tracepoints go to which instance, and why.
 *
 * <p>The scheduling instance is pid-filtered ({@code set_event_pid} with {@code event-fork}, so
 * children of traced tasks are traced from their first instruction; kernel/trace/trace_events.c):
 * it carries sched_switch and everything watched tasks do. Only events of watched tasks reach its
 * buffer. sched_wakeup is there for one reason: a task that takes over an idle CPU is charged by the
 * kernel from its wake-up, not from the switch (see SchedAccounting.onSwitch).
 *
 * <p>The life-cycle instance is unfiltered and carries rare events: those that can make an
 * unwatched process start matching (exec, rename), signals sent to watched tasks from outside, and
 * evidence of the idle task, filtered in the kernel to {@code common_pid == 0}: interrupts that end
 * in idle mark a moment the CPU was still idle, and idle-balance migrations (done in idle context,
 * which the pid filter drops) say when a task was pulled to it. Both place the switch out of idle
 * that this kernel sometimes never reports (see SchedAccounting).
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
            new Tracepoint("sched", "sched_wakeup", true),
            new Tracepoint("sched", "sched_wakeup_new", true),
            new Tracepoint("sched", "sched_migrate_task", true),
            new Tracepoint("irq_vectors", "local_timer_entry", false),
            new Tracepoint("irq_vectors", "local_timer_exit", false),
            new Tracepoint("task", "task_newtask", true),
            new Tracepoint("sched", "sched_process_fork", true),
            new Tracepoint("sched", "sched_process_exit", true),
            new Tracepoint("syscalls", "sys_enter_clone", false),
            new Tracepoint("syscalls", "sys_enter_clone3", false),
            new Tracepoint("syscalls", "sys_enter_fork", false),
            new Tracepoint("syscalls", "sys_enter_vfork", false),
            new Tracepoint("syscalls", "sys_enter_exit", false),
            new Tracepoint("syscalls", "sys_enter_exit_group", false),
            new Tracepoint("signal", "signal_deliver", false));

    static final List<Tracepoint> LIFE = List.of(
            new Tracepoint("sched", "sched_process_exec", true),
            new Tracepoint("task", "task_rename", true),
            new Tracepoint("syscalls", "sys_enter_execve", false),
            new Tracepoint("syscalls", "sys_enter_execveat", false),
            new Tracepoint("signal", "signal_generate", false),
            new Tracepoint("irq_vectors", "local_timer_exit", false, IDLE_ONLY),
            new Tracepoint("irq_vectors", "reschedule_exit", false, IDLE_ONLY),
            new Tracepoint("irq_vectors", "call_function_exit", false, IDLE_ONLY),
            new Tracepoint("irq_vectors", "call_function_single_exit", false, IDLE_ONLY),
            new Tracepoint("irq", "irq_handler_exit", false, IDLE_ONLY),
            new Tracepoint("sched", "sched_migrate_task", false, IDLE_ONLY));

    private EventPlan() {
    }
}
