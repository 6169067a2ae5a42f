package org.proctap.source;

import org.proctap.report.CounterSnapshot;
import org.proctap.report.Report;

/**
 * Receives what a source produces, in kernel time order, on the source's own thread: live reports
 * of watched processes and counter snapshots at each interval boundary (and once at the stop).
 */
public interface SourceListener {
    /** The kernel is recording from {@code ts} on. */
    void onStart(long ts);

    void onReport(Report report);

    void onSnapshot(CounterSnapshot snapshot);

    /** A one-line notice for the user (e.g. "mounted tracefs at /sys/kernel/tracing"). */
    void onNotice(String message);
}
