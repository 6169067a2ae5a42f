package org.proctap.report;

import java.util.Arrays;

import org.proctap.metric.Metric;
import org.proctap.metric.Values;

/**
 * What one task did on one CPU, as running totals since proctap started watching it: every
 * {@link Metric} in schema order. {@code incarnation} tells apart two tasks that had the same id
 * (pid reuse).
 */
public record CpuTaskCounters(int cpu, int tid, long incarnation, int tgid, String comm, long[] values) {

    public CpuTaskCounters {
        if (values.length != Metric.SLOTS) {
            throw new IllegalArgumentException("values has " + values.length + " slots, the schema " + Metric.SLOTS);
        }
    }

    public long get(Metric m) {
        return values[m.slot];
    }

    public boolean isZero() {
        return Values.isZero(values);
    }

    /** Each slot the larger of the two; the identity (comm, tgid) is this one's. */
    public CpuTaskCounters max(CpuTaskCounters other) {
        return new CpuTaskCounters(cpu, tid, incarnation, tgid, comm, Values.max(values, other.values));
    }

    /** Slot by slot since {@code earlier}, never negative. */
    public CpuTaskCounters minus(CpuTaskCounters earlier) {
        return new CpuTaskCounters(cpu, tid, incarnation, tgid, comm, Values.minus(values, earlier.values));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuTaskCounters c && cpu == c.cpu && tid == c.tid && incarnation == c.incarnation
                && tgid == c.tgid && comm.equals(c.comm) && Arrays.equals(values, c.values);
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
