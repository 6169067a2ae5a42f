package org.proctap.event;

/**
 * The end of a hardware interrupt handler: {@code irq_vectors:*_exit} (an APIC vector such as the
 * reschedule or call-function IPIs; {@code irq} is -1) or {@code irq:irq_handler_exit} (a device
 * IRQ; {@code vector} is -1). Each is evidence of which task was current: taken in the idle task,
 * it marks the last moment a CPU was still idle before it switched to a task woken by that
 * interrupt. A device IRQ's exit also ends the handler its {@link IrqEntry} began.
 */
public record IrqExit(long ts, int cpu, int tid, int vector, int irq) implements Event {
}
