package org.proctap.timeline;

import java.util.Arrays;

import org.proctap.metric.Log2Slots;
import org.proctap.output.Log2Text;

/**
 * A histogram of run-queue waits shown beside the timeline: a count per {@link Log2Slots} slot of
 * microseconds, printed as BCC's runqlat prints it (libbpf-tools trace_helpers.c print_log2_hist,
 * the format of proctap's own --hist text).
 */
public record WaitHistogram(String title, long[] counts) {

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
        return total() == 0 ? "none\n" : Log2Text.render("usecs", counts);
    }
}
