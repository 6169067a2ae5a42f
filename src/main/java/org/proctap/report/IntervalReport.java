package org.proctap.report;

import java.util.List;
import java.util.Set;

import org.proctap.metric.Metric;

/**
 * One "Scheduling stats" table: rows for [startNs, endNs) (or since the start with
 * {@code cumulative}), events lost, sequence repairs and the on-CPU time of repaired slices per
 * CPU in the same span. {@code measured}: the metrics the source counts; outputs show the others
 * as not measured, never as 0. {@code processes}: in the final table, each watched process's
 * totals over the whole watch (empty otherwise).
 */
public record IntervalReport(int index, long startNs, long endNs, List<CpuTaskCounters> rows, long[] lostPerCpu,
                             long[] repairsPerCpu, long[] repairedNsPerCpu, boolean fin, boolean cumulative,
                             Set<Metric> measured, List<ProcessSummary> processes) {

    public IntervalReport(int index, long startNs, long endNs, List<CpuTaskCounters> rows, long[] lostPerCpu,
                          long[] repairsPerCpu, long[] repairedNsPerCpu, boolean fin, boolean cumulative,
                          Set<Metric> measured) {
        this(index, startNs, endNs, rows, lostPerCpu, repairsPerCpu, repairedNsPerCpu, fin, cumulative, measured,
                List.of());
    }

    public long lostTotal() {
        long total = 0;
        for (long lost : lostPerCpu) {
            total += lost;
        }
        return total;
    }
}
