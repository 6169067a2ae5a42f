package org.proctap.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.proctap.metric.Values;
import org.proctap.report.CpuTaskCounters;
import org.proctap.report.IntervalReport;
import org.proctap.report.Report;
import org.proctap.source.IntervalListener;
import org.proctap.stats.PerProcess;

/**
 * Between the aggregator and the outputs when the source snapshots more often than the tables
 * come ({@link Cadence}): passes on every {@code every}-th interval and the final one, each the
 * sum of the intervals since the last one passed on (with {@code --cumulative} the latest, which
 * already holds every total). The aggregator still sees every snapshot: sources forget an exited
 * task's rows a few snapshots after its exit, and a table made from fewer snapshots would miss
 * what it did.
 */
public final class IntervalMerger implements IntervalListener {
    private static final Comparator<CpuTaskCounters> ORDER =
            Comparator.comparingInt(CpuTaskCounters::cpu).thenComparingInt(CpuTaskCounters::tid)
                    .thenComparingLong(CpuTaskCounters::incarnation);

    private record Key(int cpu, int tid, long incarnation) {
    }

    private final int every;
    private final boolean perProcess;
    private final IntervalListener listener;
    private IntervalReport pending;
    private int held;
    private int index;

    /**
     * @param every      pass on every this many intervals (0: only the final one)
     * @param perProcess sum the rows per process ({@link PerProcess}) after merging, as
     *                   {@link IntervalListener#aggregating(boolean, boolean, IntervalListener)} would
     */
    public IntervalMerger(int every, boolean perProcess, IntervalListener listener) {
        this.every = every;
        this.perProcess = perProcess;
        this.listener = listener;
    }

    @Override
    public void onStart(long ts) {
        listener.onStart(ts);
    }

    @Override
    public void onReport(Report report) {
        listener.onReport(report);
    }

    @Override
    public void onInterval(IntervalReport interval) {
        pending = pending == null || interval.cumulative() ? interval : merge(pending, interval);
        held++;
        if (interval.fin() || (every > 0 && held >= every)) {
            IntervalReport r = pending;
            IntervalReport out = new IntervalReport(++index, r.startNs(), r.endNs(), r.rows(), r.lostPerCpu(),
                    r.repairsPerCpu(), r.repairedNsPerCpu(), r.fin(), r.cumulative(), r.measured(), r.processes(),
                    r.processNames(), null, r.cgroups(), r.polling());
            pending = null;
            held = 0;
            listener.onInterval(perProcess ? PerProcess.of(out) : out);
        }
    }

    @Override
    public void onNotice(String message) {
        listener.onNotice(message);
    }

    /** Two consecutive intervals as one: rows of one task on one CPU added, the later's identity kept. */
    static IntervalReport merge(IntervalReport a, IntervalReport b) {
        Map<Key, CpuTaskCounters> rows = new LinkedHashMap<>();
        for (IntervalReport r : List.of(a, b)) {
            for (CpuTaskCounters row : r.rows()) {
                rows.merge(new Key(row.cpu(), row.tid(), row.incarnation()), row, (x, y) -> {
                    long[] v = x.values().clone();
                    Values.add(v, y.values());
                    return new CpuTaskCounters(y.cpu(), y.tid(), y.incarnation(), y.tgid(), y.comm(), v);
                });
            }
        }
        List<CpuTaskCounters> sorted = new ArrayList<>(rows.values());
        sorted.sort(ORDER);
        return new IntervalReport(b.index(), a.startNs(), b.endNs(), List.copyOf(sorted), sum(a.lostPerCpu(),
                b.lostPerCpu()), sum(a.repairsPerCpu(), b.repairsPerCpu()),
                sum(a.repairedNsPerCpu(), b.repairedNsPerCpu()), b.fin(), false, b.measured(), b.processes(),
                b.processNames(), null, b.cgroups(), b.polling());
    }

    private static long[] sum(long[] a, long[] b) {
        long[] s = new long[Math.max(a.length, b.length)];
        for (int i = 0; i < s.length; i++) {
            s[i] = (i < a.length ? a[i] : 0) + (i < b.length ? b[i] : 0);
        }
        return s;
    }
}
