package org.proctap.source.bpf;

/**
 * What the kernel said of one watched task when the task iterator visited it (struct
 * pt_task_now): whether it was runnable, waiting for a CPU since {@code waitFrom} or running since
 * {@code runningFrom} (0 when unknown), the waits it ended since its last switch-out the program
 * saw ({@code outTs}), at {@code seen}.
 */
record TaskNow(int tid, int cpu, boolean runnable, boolean queued, long seen, long outTs, long waited,
               long waitFrom, long runningFrom) {
}
