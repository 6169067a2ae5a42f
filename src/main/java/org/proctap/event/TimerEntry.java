package org.proctap.event;

/**
 * {@code irq_vectors:local_timer_entry}: the local APIC timer interrupt (which runs
 * {@code hrtimer_interrupt}) starts on {@code cpu}, interrupting task {@code tid}.
 */
public record TimerEntry(long ts, int cpu, int tid, int vector) implements Event {
}
