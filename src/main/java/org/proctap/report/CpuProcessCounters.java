package org.proctap.report;

import java.util.Arrays;

import org.proctap.metric.Metric;
import org.proctap.metric.Values;

/**
 * What the threads of one process did on one CPU: the {@link CpuTaskCounters} of its
 * {@code threads} tasks that have a row on that CPU, summed slot by slot (pidstat's view without
 * {@code -t}). {@code comm} is the process's name: its main thread's.
 */
public record CpuProcessCounters(int cpu, int tgid, String comm, int threads, long[] values) {

    public CpuProcessCounters {
        if (values.length != Metric.SLOTS) {
            throw new IllegalArgumentException("values has " + values.length + " slots, the schema " + Metric.SLOTS);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("a process row sums at least one thread, not " + threads);
        }
    }

    public long get(Metric m) {
        return values[m.slot];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuProcessCounters c && cpu == c.cpu && tgid == c.tgid && threads == c.threads
                && comm.equals(c.comm) && Arrays.equals(values, c.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * cpu + tgid) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CpuProcessCounters[cpu=" + cpu + ", tgid=" + tgid + ", comm=" + comm
                + ", threads=" + threads);
        return sb.append(Values.describe(values)).append(']').toString();
    }
}
