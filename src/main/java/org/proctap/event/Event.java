package org.proctap.event;

/**
 * One tracepoint hit, decoded. Every event carries the kernel's timestamp in nanoseconds
 * (CLOCK_MONOTONIC: tracefs instances run with {@code trace_clock=mono}, BPF uses
 * {@code bpf_ktime_get_ns}), the CPU it was recorded on and {@code tid}, the task that was
 * current when it fired (the tracepoint's {@code common_pid}; 0 is that CPU's idle task).
 */
public sealed interface Event
        permits SchedSwitch, SchedRuntime, SchedWakeup, SchedMigrate, TimerEntry, TimerExit, TaskNew, ProcessFork,
                ProcessExec, ProcessExit, TaskRename, SyscallEnter, SignalGenerate, SignalDeliver, IrqEntry, IrqExit,
                SoftirqEntry, SoftirqExit, CgroupAttach {
    long ts();

    int cpu();

    int tid();
}
