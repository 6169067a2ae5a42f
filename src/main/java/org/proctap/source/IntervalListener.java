package org.proctap.source;

import org.proctap.report.CounterSnapshot;
import org.proctap.report.IntervalReport;
import org.proctap.report.Report;
import org.proctap.stats.IntervalAggregator;
import org.proctap.stats.PerProcess;

/**
 * What a trace reports once its snapshots of running totals are made tables: a
 * {@link SourceListener} with {@link #onInterval} in place of {@code onSnapshot}. Called on the
 * same threads as the source's listener.
 */
public interface IntervalListener {
    /** The kernel is recording from {@code ts} on. */
    void onStart(long ts);

    void onReport(Report report);

    /** One table: the differences since the last one, or with {@code cumulative} the totals. */
    void onInterval(IntervalReport interval);

    /** A one-line notice for the user. */
    void onNotice(String message);

    /**
     * The listener to start a source with: an {@link IntervalAggregator} started at the source's
     * start makes each snapshot an interval for {@code listener}.
     */
    static SourceListener aggregating(boolean cumulative, IntervalListener listener) {
        return aggregating(cumulative, false, listener);
    }

    /**
     * As {@link #aggregating(boolean, IntervalListener)}; with {@code perProcess} every interval
     * also carries its rows summed per CPU and process ({@link PerProcess}), which the outputs
     * then show instead of the per-task rows.
     */
    static SourceListener aggregating(boolean cumulative, boolean perProcess, IntervalListener listener) {
        return new SourceListener() {
            private IntervalAggregator aggregator;

            @Override
            public void onStart(long ts) {
                aggregator = new IntervalAggregator(cumulative, ts);
                listener.onStart(ts);
            }

            @Override
            public void onReport(Report report) {
                listener.onReport(report);
            }

            @Override
            public void onSnapshot(CounterSnapshot snapshot) {
                IntervalReport interval = aggregator.next(snapshot);
                listener.onInterval(perProcess ? PerProcess.of(interval) : interval);
            }

            @Override
            public void onNotice(String message) {
                listener.onNotice(message);
            }
        };
    }
}
