package org.proctap.stats;

/**
 * How often a watch's source snapshots, and which snapshots are the tables': at least every
 * {@link #PERIOD_NS} whatever -i is, since the exporter wants fresh figures and a source can
 * only forget an exited task's counters a few snapshots after its exit (the bpf counters map is
 * sized at load: a -i 0 watch of more short-lived tasks than it holds lost their updates); the
 * tables still come every {@code -i}. The source snapshots every {@code -i / n} for the
 * smallest n that makes that at most the period, and every n-th interval is a table (n = 0: only
 * the final one, for -i 0), merged by {@link IntervalMerger}. Counting snapshots rather than
 * comparing times keeps the tables exactly -i apart.
 *
 * @param snapshotNs the source's interval
 * @param every      tables every this many snapshots; 0 for only the final one
 */
public record Cadence(long snapshotNs, int every) {
    /** The longest a watch's source goes without a snapshot: one second. */
    public static final long PERIOD_NS = 1_000_000_000L;

    /** A watch's cadence for tables every {@code intervalNs} (0: only the final one). */
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
