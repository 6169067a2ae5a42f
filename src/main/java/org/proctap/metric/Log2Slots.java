package org.proctap.metric;

/**
 * The slots of a log2 histogram of microseconds, as BCC's runqlat lays them out: slot 0 holds
 * 0 and 1 µs, slot i (1 <= i < 26) holds [2^i, 2^(i+1) - 1] µs, and the last slot holds
 * everything from 2^26 µs (67 s) on. The BPF program buckets with pt_hist_slot() in
 * src/main/bpf/pt_hist.h, the same function (Log2SlotsTest compiles it and compares).
 */
public final class Log2Slots {
    /** Slots per histogram: PT_HIST_SLOTS in proctap.h. */
    public static final int COUNT = 27;

    private Log2Slots() {
    }

    /** The slot of a length in nanoseconds (truncated to whole microseconds, as runqlat does). */
    public static int ofNs(long ns) {
        return of(Math.max(0, ns) / 1000);
    }

    /** The slot of a length in microseconds: floor(log2(us)), 0 for 0, at most the last slot. */
    public static int of(long us) {
        if (us <= 1) {
            return 0;
        }
        return Math.min(63 - Long.numberOfLeadingZeros(us), COUNT - 1);
    }

    /** The smallest length, in µs, that slot i holds. */
    public static long low(int i) {
        return i == 0 ? 0 : 1L << i;
    }

    /** The largest length, in µs, that slot i holds; -1 for the last, which has no bound. */
    public static long high(int i) {
        return i == COUNT - 1 ? -1 : (1L << (i + 1)) - 1;
    }
}
