package org.proctap.output;

import org.proctap.metric.Log2Slots;

/**
 * A log2 histogram as BCC's runqlat prints it (libbpf-tools print_log2_hist): a header naming the
 * unit, then one line per slot from the first up to the last non-empty one, its bounds, its count
 * and up to 40 stars scaled to the largest count. The last slot has no upper bound: "inf".
 */
public final class Log2Text {
    private static final int STARS = 40;

    private Log2Text() {
    }

    /** The lines for {@code counts} (one per {@link Log2Slots} slot) of lengths in {@code unit}. */
    public static String render(String unit, long[] counts) {
        int last = -1;
        long max = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                last = i;
            }
            max = Math.max(max, counts[i]);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%5s%-19s : count    distribution", "", unit)).append('\n');
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
