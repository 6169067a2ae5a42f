package org.proctap.report;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.proctap.metric.Metric;

/**
 * One "Scheduling stats" table: rows for [startNs, endNs) (or since the start with
 * {@code cumulative}), events lost, sequence repairs and the on-CPU time of repaired slices per
 * CPU in the same span. {@code measured}: the metrics the source counts; outputs show the others
 * as not measured, never as 0. {@code processes}: in the final table, each watched process's
 * totals over the whole watch (empty otherwise). {@code processNames}: each process seen so far,
 * by tgid, named as {@code processes} names it (its main thread's comm once a row of it was
 * seen). {@code processRows}: the same rows summed per CPU and process when the table is shown
 * that way ({@code --per-process}), else null. {@code cgroups}: under --cgroup, the cgroup v2 path
 * (relative to the root) of each process seen so far, by tgid, as last known; else empty.
 * {@code polling}: how a /proc poller saw the tasks, null for the event sources.
 */
public record IntervalReport(int index, long startNs, long endNs, List<CpuTaskCounters> rows, long[] lostPerCpu,
                             long[] repairsPerCpu, long[] repairedNsPerCpu, boolean fin, boolean cumulative,
                             Set<Metric> measured, List<ProcessSummary> processes, Map<Integer, String> processNames,
                             List<CpuProcessCounters> processRows, Map<Integer, String> cgroups, Polling polling) {

    public IntervalReport(int index, long startNs, long endNs, List<CpuTaskCounters> rows, long[] lostPerCpu,
                          long[] repairsPerCpu, long[] repairedNsPerCpu, boolean fin, boolean cumulative,
                          Set<Metric> measured, List<ProcessSummary> processes, Map<Integer, String> processNames,
                          List<CpuProcessCounters> processRows, Polling polling) {
        this(index, startNs, endNs, rows, lostPerCpu, repairsPerCpu, repairedNsPerCpu, fin, cumulative, measured,
                processes, processNames, processRows, Map.of(), polling);
    }

    public IntervalReport(int index, long startNs, long endNs, List<CpuTaskCounters> rows, long[] lostPerCpu,
                          long[] repairsPerCpu, long[] repairedNsPerCpu, boolean fin, boolean cumulative,
                          Set<Metric> measured, List<ProcessSummary> processes, Map<Integer, String> processNames,
                          List<CpuProcessCounters> processRows) {
        this(index, startNs, endNs, rows, lostPerCpu, repairsPerCpu, repairedNsPerCpu, fin, cumulative, measured,
                processes, processNames, processRows, Map.of(), null);
    }

    public IntervalReport(int index, long startNs, long endNs, List<CpuTaskCounters> rows, long[] lostPerCpu,
                          long[] repairsPerCpu, long[] repairedNsPerCpu, boolean fin, boolean cumulative,
                          Set<Metric> measured, List<ProcessSummary> processes) {
        this(index, startNs, endNs, rows, lostPerCpu, repairsPerCpu, repairedNsPerCpu, fin, cumulative, measured,
                processes, Map.of(), null);
    }

    public IntervalReport(int index, long startNs, long endNs, List<CpuTaskCounters> rows, long[] lostPerCpu,
                          long[] repairsPerCpu, long[] repairedNsPerCpu, boolean fin, boolean cumulative,
                          Set<Metric> measured) {
        this(index, startNs, endNs, rows, lostPerCpu, repairsPerCpu, repairedNsPerCpu, fin, cumulative, measured,
                List.of());
    }

    /** Whether the table is shown per CPU and process ({@link #processRows}) rather than per task. */
    public boolean perProcess() {
        return processRows != null;
    }

    /** This table shown per CPU and process, with these rows. */
    public IntervalReport withProcessRows(List<CpuProcessCounters> byProcess) {
        return new IntervalReport(index, startNs, endNs, rows, lostPerCpu, repairsPerCpu, repairedNsPerCpu, fin,
                cumulative, measured, processes, processNames, List.copyOf(byProcess), cgroups, polling);
    }

    public long lostTotal() {
        long total = 0;
        for (long lost : lostPerCpu) {
            total += lost;
        }
        return total;
    }
}
