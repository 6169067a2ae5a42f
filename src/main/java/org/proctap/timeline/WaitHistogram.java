package org.proctap.timeline;

import java.util.Arrays;

import org.proctap.metric.Log2Slots;

/**
 * A histogram of run-queue waits shown beside the timeline: a count per {@link Log2Slots} slot of
 * microseconds, printed as BCC's runqlat prints it (libbpf-tools trace_helpers.c print_log2_hist,
 * the format of proctap's own --hist text).
 */
public record WaitHistogram(String title, long[] counts) {
    private static final int STARS = 40;

    public WaitHistogram {
        if (counts.length != Log2Slots.COUNT) {
            throw new IllegalArgumentException("wait histogram \"" + title + "\" has " + counts.length
                    + " slots, not " + Log2Slots.COUNT);
        }
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("wait histogram \"" + title + "\" has a negative count " + c);
            }
        }
        counts = counts.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    /** Waits counted in every slot. */
    public long total() {
        return Arrays.stream(counts).sum();
    }

    /**
     * The runqlat lines: a header naming the unit, then one line per slot up to the last non-empty
     * one with its bounds, its count and up to 40 stars scaled to the largest count; "none" when
     * nothing was counted.
     */
    public String text() {
        int last = -1;
        long max = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                last = i;
            }
            max = Math.max(max, counts[i]);
        }
        if (last < 0) {
            return "none\n";
        }
        StringBuilder sb = new StringBuilder(String.format("%5s%-19s : count    distribution\n", "", "usecs"));
        for (int i = 0; i <= last; i++) {
            long high = Log2Slots.high(i);
            sb.append(String.format("%10d -> %-10s : %-8d |", Log2Slots.low(i), high < 0 ? "inf" : Long.toString(high),
                    counts[i]));
            int stars = (int) (counts[i] * STARS / max);
            sb.append("*".repeat(stars)).append(" ".repeat(STARS - stars)).append("|\n");
        }
        return sb.toString();
    }
}
