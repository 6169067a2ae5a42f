package org.proctap.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.proctap.metric.Metric;
import org.proctap.metric.Values;

/**
 * One histogram ({@link Metric#isHistogram}) of one process in one table: its threads' rows on
 * every CPU summed, slot by slot. {@code counts} is null when the source does not measure it.
 */
public record ProcessHistogram(Metric metric, int tgid, String comm, long[] counts) {

    /**
     * Every process with rows in {@code interval}, by pid, each with its histograms in the order of
     * {@code metrics}.
     */
    public static List<ProcessHistogram> of(IntervalReport interval, List<Metric> metrics) {
        List<List<ProcessHistogram>> byMetric = new ArrayList<>();
        for (Metric m : metrics) {
            byMetric.add(of(interval, m));
        }
        List<ProcessHistogram> out = new ArrayList<>();
        int processes = byMetric.isEmpty() ? 0 : byMetric.getFirst().size();
        for (int p = 0; p < processes; p++) {
            for (List<ProcessHistogram> h : byMetric) {
                out.add(h.get(p)); // (the same processes, in the same order, for every metric)
            }
        }
        return out;
    }

    /** Every process with rows in {@code interval}, by pid, with its {@code metric} histogram. */
    public static List<ProcessHistogram> of(IntervalReport interval, Metric metric) {
        if (!metric.isHistogram()) {
            throw new IllegalArgumentException(metric + " is not a histogram");
        }
        boolean measured = interval.measured().contains(metric);
        Map<Integer, long[]> sums = new TreeMap<>();
        Map<Integer, CpuTaskCounters> named = new TreeMap<>();
        for (CpuTaskCounters row : interval.rows()) {
            long[] sum = sums.computeIfAbsent(row.tgid(), x -> new long[metric.slots]);
            long[] slots = metric.slotsOf(row.values());
            for (int i = 0; i < sum.length; i++) {
                sum[i] += slots[i];
            }
            // the process's name: its main thread's comm, else its lowest thread's
            CpuTaskCounters n = named.get(row.tgid());
            if (n == null || (n.tid() != n.tgid() && (row.tid() == row.tgid() || row.tid() < n.tid()))) {
                named.put(row.tgid(), row);
            }
        }
        List<ProcessHistogram> out = new ArrayList<>();
        sums.forEach((tgid, sum) -> out.add(new ProcessHistogram(metric, tgid, named.get(tgid).comm(),
                measured ? sum : null)));
        return out;
    }

    public boolean measured() {
        return counts != null;
    }

    /** Events counted in every slot; 0 when not measured. */
    public long total() {
        return counts == null ? 0 : Values.sum(counts);
    }
}
