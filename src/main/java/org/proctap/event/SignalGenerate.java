package org.proctap.event;

/**
 * {@code signal:signal_generate}: {@code tid} sent signal {@code sig} to task {@code target}
 * ({@code group} = to its whole process); {@code result} 0 = delivered (queued), 1 = ignored,
 * 2 = already pending, 3 = overflow, 4 = lose_info (include/trace/events/signal.h).
 */
public record SignalGenerate(long ts, int cpu, int tid, int sig, int errno, int code, String targetComm,
                             int target, boolean group, int result) implements Event {
}
