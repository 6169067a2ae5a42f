package org.proctap.stats;

/**
 * How often the source snapshots while exporting, and which snapshots are the tables': the
 * exporter wants figures at least every {@link #PERIOD_NS} whatever -i is; the tables still come
 * every {@code -i}. The source snapshots every {@code -i / n} for the
 * smallest n that makes that at most the period, and every n-th interval is a table (n = 0: only
 * the final one, for -i 0), merged by {@link IntervalMerger}. Counting snapshots rather than
 * comparing times keeps the tables exactly -i apart.
 *
 * @param snapshotNs the source's interval
 * @param every      tables every this many snapshots; 0 for only the final one
 */
public record Cadence(long snapshotNs, int every) {
    /** The longest an exporting watch's source goes without a snapshot: one second. */
    public static final long PERIOD_NS = 1_000_000_000L;

    /** An exporting watch's cadence for tables every {@code intervalNs} (0: only the final one). */
    public static Cadence of(long intervalNs) {
        return of(intervalNs, PERIOD_NS);
    }

    public static Cadence of(long intervalNs, long periodNs) {
        if (intervalNs <= 0) {
            return new Cadence(periodNs, 0);
        }
        long n = Math.max(1, (intervalNs + periodNs - 1) / periodNs);
        return new Cadence(intervalNs / n, (int) n);
    }
}
