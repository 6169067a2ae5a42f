package org.proctap.report;

/**
 * A live line: something a watched process did (exec, fork/clone, exit), resolved to process ids,
 * in the order the kernel reported it. Every source produces these; every output prints them.
 */
public sealed interface Report permits ExecReport, ForkReport, ExitReport {
    /** Kernel timestamp, CLOCK_MONOTONIC ns. */
    long ts();

    /** The CPU it happened on; {@link CpuTaskCounters#NO_CPU} when the source cannot tell. */
    int cpu();
}
