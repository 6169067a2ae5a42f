package org.proctap.event;

/** {@code irq:softirq_exit}: softirq vector {@code vec}'s action returns. */
public record SoftirqExit(long ts, int cpu, int tid, int vec) implements Event {
}
