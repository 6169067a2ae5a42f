package org.proctap.metric;

import java.util.List;

/**
 * The softirq vectors, in the kernel's order: {@code enum { HI_SOFTIRQ = 0, TIMER_SOFTIRQ, ... }}
 * in include/linux/interrupt.h, which softirq_entry's {@code vec} numbers and /proc/softirqs
 * names one line each (the same order and names since Linux 5.0, when IRQ_POLL replaced
 * BLOCK_IOPOLL). PT_NR_SOFTIRQS in src/main/bpf/proctap.h is their number.
 */
public final class Softirq {
    private Softirq() {
    }

    public static final List<String> NAMES = List.of("HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL",
            "TASKLET", "SCHED", "HRTIMER", "RCU");

    /** A vector's name, or null for one this list does not know (a later kernel's). */
    public static String name(int vec) {
        return vec >= 0 && vec < NAMES.size() ? NAMES.get(vec) : null;
    }

    /**
     * Sets the softirq totals of a values array read from the BPF program's counters to the sum
     * of their vectors. The program adds a softirq to the total and to its vector one after the
     * other, and a reader that copies the counters meanwhile (bpf_map_lookup_batch does not stop
     * the program) sees one without the other: a table's softirq_ns then differed from its
     * vectors' sum by one softirq (282 ns), and the next table by the opposite. The vectors are
     * what both add up from; every vector of the kernel has its slot (PT_NR_SOFTIRQS is the
     * kernel's NR_SOFTIRQS), so nothing counted in the total alone is lost.
     */
    public static void totalsFromVectors(long[] values) {
        long ns = 0;
        long count = 0;
        for (int i = 0; i < NAMES.size(); i++) {
            ns += Metric.SOFTIRQ_NS_BY_KIND.of(values, i);
            count += Metric.SOFTIRQ_COUNT_BY_KIND.of(values, i);
        }
        values[Metric.SOFTIRQ_NS.slot] = ns;
        values[Metric.SOFTIRQ_COUNT.slot] = count;
    }
}
