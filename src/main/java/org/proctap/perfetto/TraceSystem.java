package org.proctap.perfetto;

/**
 * The machine a recording was made on, as Perfetto's SystemInfo packet tells it: the kernel
 * release ({@code uname -r}), the machine ({@code uname -m}) and the number of CPUs.
 *
 * <p>trace_processor reads the kernel's major.minor from {@code release} (only when the
 * system name is "Linux", src/trace_processor/importers/common/system_info_tracker.cc) and
 * decodes sched_switch's prev_state by that version's bits; with no release it assumes 4.4,
 * where 0x100 (preempted, "R+", since 4.14) reads as TASK_WAKING ("W")
 * (src/trace_processor/types/task_state.cc). {@code machine} picks the system-call table.
 */
public record TraceSystem(String release, String machine, int cpus) {
    /** trace_processor rejects a bundle for a CPU at or above 1024 (ftrace_tokenizer.cc kMaxCpuCount). */
    public static final int MAX_CPUS = 1024;

    public TraceSystem {
        if (release == null || release.isBlank()) {
            throw new IllegalArgumentException("a Perfetto trace needs the kernel release (uname -r)");
        }
        if (machine == null) {
            machine = "";
        }
        if (cpus < 1 || cpus > MAX_CPUS) {
            throw new IllegalArgumentException("CPU count " + cpus + " is not in 1.." + MAX_CPUS);
        }
    }
}
