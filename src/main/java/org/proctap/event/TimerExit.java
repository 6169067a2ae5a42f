package org.proctap.event;

/** {@code irq_vectors:local_timer_exit}: the local timer interrupt handler returns. */
public record TimerExit(long ts, int cpu, int tid, int vector) implements Event {
}
