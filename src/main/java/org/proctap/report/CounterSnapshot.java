package org.proctap.report;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.proctap.metric.Metric;

/**
 * Every source's running totals at kernel time {@code ts}: per CPU and task (a task still on a CPU
 * at {@code ts} has its slice counted up to {@code ts}), plus per-CPU totals of events the kernel
 * lost, of scheduler sequences proctap had to repair, and of the on-CPU time charged to slices
 * that a switch nobody reported began or ended. {@code fin} marks the snapshot taken at the stop;
 * {@code measured} are the metrics the source counts (the others are 0 and mean nothing).
 * {@code cgroups}: under --cgroup, the cgroup v2 path of each row's process, by tgid (else empty).
 * {@code polling}: how a /proc poller saw them, null for the event sources.
 *
 * <p>{@code partial}: only the rows that changed since the source's previous snapshot are here; a
 * row left out holds the totals it last showed, until its incarnation is in {@code retired}
 * (shown for the last time in this snapshot, or before, and never again). Otherwise every row is
 * here, and a row left out is gone.
 */
public record CounterSnapshot(long ts, List<CpuTaskCounters> counters, long[] lostPerCpu, long[] repairsPerCpu,
                              long[] repairedNsPerCpu, boolean fin, Set<Metric> measured, Map<Integer, String> cgroups,
                              Polling polling, boolean partial, Set<Long> retired) {

    public CounterSnapshot {
        retired = Set.copyOf(retired);
    }

    /** A consumer's key of one CPU's row of one task incarnation. */
    public interface RowKeys<K> {
        K of(int cpu, long incarnation);
    }

    /**
     * Brings a consumer's baselines, by row, up to this snapshot, whose rows are {@code seen}: the
     * rows a full snapshot leaves out are gone, those a partial one leaves out stay until retired
     * (looked up on every CPU: retired tasks times CPUs, not a pass over every row kept).
     */
    public <K, V> void advance(Map<K, V> baselines, Map<K, V> seen, RowKeys<K> keys) {
        if (!partial) {
            baselines.clear();
        }
        baselines.putAll(seen);
        for (long incarnation : retired) {
            for (int cpu = 0; cpu < lostPerCpu.length; cpu++) {
                baselines.remove(keys.of(cpu, incarnation));
            }
        }
    }

    /** The snapshot of an event source that shows every row. */
    public CounterSnapshot(long ts, List<CpuTaskCounters> counters, long[] lostPerCpu, long[] repairsPerCpu,
                           long[] repairedNsPerCpu, boolean fin, Set<Metric> measured, Map<Integer, String> cgroups,
                           Polling polling) {
        this(ts, counters, lostPerCpu, repairsPerCpu, repairedNsPerCpu, fin, measured, cgroups, polling, false,
                Set.of());
    }

    /** The snapshot of an event source. */
    public CounterSnapshot(long ts, List<CpuTaskCounters> counters, long[] lostPerCpu, long[] repairsPerCpu,
                           long[] repairedNsPerCpu, boolean fin, Set<Metric> measured) {
        this(ts, counters, lostPerCpu, repairsPerCpu, repairedNsPerCpu, fin, measured, Map.of(), null);
    }

    /** The snapshot of an event source under --cgroup. */
    public CounterSnapshot(long ts, List<CpuTaskCounters> counters, long[] lostPerCpu, long[] repairsPerCpu,
                           long[] repairedNsPerCpu, boolean fin, Set<Metric> measured, Map<Integer, String> cgroups) {
        this(ts, counters, lostPerCpu, repairsPerCpu, repairedNsPerCpu, fin, measured, cgroups, null);
    }

    /** The snapshot of a /proc poller. */
    public CounterSnapshot(long ts, List<CpuTaskCounters> counters, long[] lostPerCpu, long[] repairsPerCpu,
                           long[] repairedNsPerCpu, boolean fin, Set<Metric> measured, Polling polling) {
        this(ts, counters, lostPerCpu, repairsPerCpu, repairedNsPerCpu, fin, measured, Map.of(), polling);
    }
}
