package org.proctap.stats;

import org.proctap.model.Task;

/**
 * One CPU's open interrupts, for the event accounting: the device irq handler and the softirq
 * running there now, and the watched task each interrupted. The rules are the BPF program's
 * (struct irq_cpu in src/main/bpf/proctap.bpf.c):
 *
 * <ul>
 * <li>Hard handlers run with interrupts disabled (kernel/irq/handle.c) and nothing nests in them;
 *     softirqs run with interrupts enabled (handle_softirqs(), kernel/softirq.c), so a hard irq
 *     or a timer interrupt can come inside one. A softirq's time is its own: what the hard irqs and
 *     timer interrupts inside it took is subtracted ({@link #nested}), so hrtimer, irq and softirq
 *     never count the same nanosecond twice.
 * <li>An entry is closed only by the exit of the same task (and vector): an exit whose entry was
 *     missed counts nothing, an entry whose exit was missed is replaced by the next entry, and
 *     every switch (which no interrupt spans) forgets both ({@link #reset}).
 * </ul>
 */
final class Interrupts {
    private long irqStart = -1;
    private Task irqTask;
    private long softStart = -1;
    private Task softTask;
    private int softVec;
    private long softNested;

    /** irq_handler_entry; {@code watched} is the interrupted task if it is watched, else null. */
    void irqEntry(long ts, Task watched) {
        irqStart = watched != null ? ts : -1;
        irqTask = watched;
    }

    /**
     * irq_handler_exit in task {@code current} (null if unknown): the handler's time, to charge to
     * it, or -1 when it is not a watched task's handler whose entry was seen.
     */
    long irqExit(long ts, Task current) {
        long ns = -1;
        if (irqStart >= 0 && current != null && irqTask == current && ts >= irqStart) {
            ns = ts - irqStart;
            nested(current, ns);
        }
        irqStart = -1;
        irqTask = null;
        return ns;
    }

    /** A hard or timer interrupt of {@code ns} charged to {@code t}: not the open softirq's time. */
    void nested(Task t, long ns) {
        if (softStart >= 0 && softTask == t) {
            softNested += ns;
        }
    }

    /** softirq_entry of {@code vec}; {@code watched} as for {@link #irqEntry}. */
    void softirqEntry(long ts, Task watched, int vec) {
        softStart = watched != null ? ts : -1;
        softTask = watched;
        softVec = vec;
        softNested = 0;
    }

    /**
     * softirq_exit of {@code vec} in task {@code current}: the softirq's own time (less what was
     * nested in it), or -1 as for {@link #irqExit}.
     */
    long softirqExit(long ts, Task current, int vec) {
        long ns = -1;
        if (softStart >= 0 && current != null && softTask == current && softVec == vec && ts >= softStart) {
            ns = Math.max(0, ts - softStart - softNested);
        }
        softStart = -1;
        softTask = null;
        return ns;
    }

    /** The CPU switched tasks (or lost events): nothing open can still close. */
    void reset() {
        irqStart = -1;
        irqTask = null;
        softStart = -1;
        softTask = null;
    }
}
