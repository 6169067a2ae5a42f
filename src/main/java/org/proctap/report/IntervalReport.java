package org.proctap.report;

import java.util.List;

/**
 * One "Scheduling stats" table: rows for [startNs, endNs) (or since the start with
 * {@code cumulative}), events lost and sequence repairs per CPU in the same span.
 */
public record IntervalReport(int index, long startNs, long endNs, List<CpuTaskCounters> rows, long[] lostPerCpu,
                             long[] repairsPerCpu, boolean fin, boolean cumulative) {

    public long lostTotal() {
        long total = 0;
        for (long lost : lostPerCpu) {
            total += lost;
        }
        return total;
    }
}
