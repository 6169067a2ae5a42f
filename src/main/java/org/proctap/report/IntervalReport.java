package org.proctap.report;

import java.util.List;

/**
 * One "Scheduling stats" table: rows for [startNs, endNs) (or since the start with
 * {@code cumulative}), events lost, sequence repairs and the on-CPU time of repaired slices per
 * CPU in the same span.
 */
public record IntervalReport(int index, long startNs, long endNs, List<CpuTaskCounters> rows, long[] lostPerCpu,
                             long[] repairsPerCpu, long[] repairedNsPerCpu, boolean fin, boolean cumulative) {

    public long lostTotal() {
        long total = 0;
        for (long lost : lostPerCpu) {
            total += lost;
        }
        return total;
    }
}
