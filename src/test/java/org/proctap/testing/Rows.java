package org.proctap.testing;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.proctap.metric.Metric;
import org.proctap.metric.Values;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuTaskCounters;

/** Snapshots of running totals for the exporter's tests. */
public final class Rows {
    public static final Set<Metric> ALL = Set.copyOf(EnumSet.allOf(Metric.class));
    /** As tracefs without --hist: every counter, no histogram. */
    public static final Set<Metric> NO_HIST = Set.copyOf(EnumSet.complementOf(EnumSet.of(Metric.WAIT_HIST,
            Metric.SLICE_HIST)));

    private Rows() {
    }

    /** A task's running totals on a CPU: on-CPU ns and switch-ins; the rest 0. */
    public static CpuTaskCounters row(int cpu, int tid, long incarnation, int tgid, String comm, long oncpuNs, long runs) {
        long[] v = Values.zero();
        v[Metric.ONCPU_NS.slot] = oncpuNs;
        v[Metric.RUNS.slot] = runs;
        return new CpuTaskCounters(cpu, tid, incarnation, tgid, comm, v);
    }

    public static CounterSnapshot snap(long ts, CpuTaskCounters... rows) {
        return snap(ts, ALL, rows);
    }

    /** A snapshot of the rows that changed; {@code retired}: incarnations never shown again. */
    public static CounterSnapshot partial(long ts, Set<Long> retired, CpuTaskCounters... rows) {
        return new CounterSnapshot(ts, List.of(rows), new long[] {0, 0}, new long[] {0, 0}, new long[] {0, 0},
                false, ALL, java.util.Map.of(), null, true, retired);
    }

    public static CounterSnapshot snap(long ts, Set<Metric> measured, CpuTaskCounters... rows) {
        return new CounterSnapshot(ts, List.of(rows), new long[] {0, 0}, new long[] {0, 0}, new long[] {0, 0},
                false, measured);
    }
}
