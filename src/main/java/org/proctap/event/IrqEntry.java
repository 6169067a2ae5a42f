package org.proctap.event;

/**
 * {@code irq:irq_handler_entry}: a handler of device interrupt {@code irq} starts on {@code cpu},
 * interrupting task {@code tid} (kernel/irq/handle.c, once per handler of the irq). Its end is an
 * {@link IrqExit} with the same irq.
 */
public record IrqEntry(long ts, int cpu, int tid, int irq) implements Event {
}
