package org.proctap.report;

import java.util.Arrays;

import org.proctap.metric.Metric;
import org.proctap.metric.Values;

/**
 * What one task did on one CPU, as running totals since proctap started watching it: every
 * {@link Metric} in schema order. {@code incarnation} tells apart two tasks that had the same id
 * (pid reuse). {@code cpu} is {@link #NO_CPU} for a source that sees a task's totals but not where
 * it earned them (the /proc poller): one row per task then, over all CPUs, with {@code lastCpu}
 * the CPU it was on or last ran on when last read ({@link #NO_CPU} when the row's own CPU says it).
 */
public record CpuTaskCounters(int cpu, int tid, long incarnation, int tgid, String comm, long[] values, int lastCpu) {
    /** The CPU is not known: the row's figures are the task's on every CPU together. */
    public static final int NO_CPU = -1;

    public CpuTaskCounters {
        if (values.length != Metric.SLOTS) {
            throw new IllegalArgumentException("values has " + values.length + " slots, the schema " + Metric.SLOTS);
        }
    }

    /** A row of one CPU's figures. */
    public CpuTaskCounters(int cpu, int tid, long incarnation, int tgid, String comm, long[] values) {
        this(cpu, tid, incarnation, tgid, comm, values, NO_CPU);
    }

    /** Whether the row is one CPU's (else every CPU's together, {@link #NO_CPU}). */
    public boolean hasCpu() {
        return cpu != NO_CPU;
    }

    public long get(Metric m) {
        return values[m.slot];
    }

    public boolean isZero() {
        return Values.isZero(values);
    }

    /** Each slot the larger of the two; the identity (comm, tgid) is this one's. */
    public CpuTaskCounters max(CpuTaskCounters other) {
        return new CpuTaskCounters(cpu, tid, incarnation, tgid, comm, Values.max(values, other.values), lastCpu);
    }

    /** Slot by slot since {@code earlier}, never negative. */
    public CpuTaskCounters minus(CpuTaskCounters earlier) {
        return new CpuTaskCounters(cpu, tid, incarnation, tgid, comm, Values.minus(values, earlier.values), lastCpu);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuTaskCounters c && cpu == c.cpu && tid == c.tid && incarnation == c.incarnation
                && tgid == c.tgid && comm.equals(c.comm) && Arrays.equals(values, c.values) && lastCpu == c.lastCpu;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * cpu + tid) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CpuTaskCounters[cpu=" + cpu + ", tid=" + tid + ", tgid=" + tgid
                + ", comm=" + comm);
        return sb.append(Values.describe(values)).append(']').toString();
    }
}
