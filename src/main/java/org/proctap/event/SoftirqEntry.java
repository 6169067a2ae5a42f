package org.proctap.event;

/**
 * {@code irq:softirq_entry}: softirq vector {@code vec} (include/linux/interrupt.h: 0 HI ... 9 RCU)
 * starts on {@code cpu} in the context of task {@code tid}: the task it interrupted, the one whose
 * local_bh_enable() ran it, or ksoftirqd (kernel/softirq.c).
 */
public record SoftirqEntry(long ts, int cpu, int tid, int vec) implements Event {
}
