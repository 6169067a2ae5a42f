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
 */
public record CounterSnapshot(long ts, List<CpuTaskCounters> counters, long[] lostPerCpu, long[] repairsPerCpu,
                              long[] repairedNsPerCpu, boolean fin, Set<Metric> measured, Map<Integer, String> cgroups,
                              Polling polling) {

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
