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
}
