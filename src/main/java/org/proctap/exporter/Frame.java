package org.proctap.exporter;

import java.util.List;
import java.util.Set;

import org.proctap.metric.Metric;

/**
 * What one scrape shows: every label set's running totals as of one snapshot, immutable, so that
 * a scrape on the server's threads sees one consistent set while the source's thread makes the
 * next frame (the exporter swaps a reference to it).
 *
 * @param series      each label set and its totals in schema order (arrays never written again)
 * @param lostPerCpu  events the kernel lost per CPU since the start (running totals)
 * @param measured    the metrics the source counts: the others are not exported at all
 * @param wallMillis  when the snapshot was taken, on the wall clock
 * @param dropped     label sets that the cap sent to the overflow series, since the start
 * @param fin         the snapshot taken at the stop
 */
record Frame(List<Series> series, long[] lostPerCpu, Set<Metric> measured, long wallMillis, long dropped,
             boolean fin) {

    /** One label set and its totals. */
    record Series(LabelSet labels, long[] totals) {
    }

    /** Before the first snapshot: nothing measured, so nothing but proctap's own metrics. */
    static final Frame EMPTY = new Frame(List.of(), new long[0], Set.of(), 0, 0, false);
}
