package org.proctap.report;

import java.util.Set;

import org.proctap.metric.Metric;

/**
 * What one watched process did over the whole watch, its threads and CPUs summed: every
 * {@link Metric} in schema order, for the final output's one line per process.
 */
public record ProcessSummary(int tgid, String comm, long[] values) {

    /** The time the accounting placed somewhere: on the CPU, waiting, asleep, blocked. */
    public static final Set<Metric> TIME = Set.of(Metric.ONCPU_NS, Metric.WAIT_NS, Metric.SLEEP_NS, Metric.IO_NS);

    public long get(Metric m) {
        return values[m.slot];
    }

    /** The sum of {@link #TIME}: the denominator of the line's shares. */
    public long accounted() {
        long total = 0;
        for (Metric m : TIME) {
            total += get(m);
        }
        return total;
    }
}
