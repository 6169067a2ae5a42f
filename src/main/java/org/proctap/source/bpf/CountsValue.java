package org.proctap.source.bpf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;

import org.proctap.metric.Metric;
import org.proctap.metric.Softirq;
import org.proctap.metric.Values;

/**
 * The counts map's value as loaded (struct pt_counts and PT_COUNTS_SIZE in proctap.h): the
 * header, then the metric slots [0, {@code slots}). The histograms are the last metrics, so a
 * watch without --hist holds none of their slots (336 bytes per CPU and task instead of 768);
 * the slots not held read as 0.
 */
record CountsValue(int slots) {
    /** The header: off_since, off_state, cpu_seen, cpu_mask, dirty, taken, taken_prev, read_gen, marked_gen. */
    static final long HEADER = Wire.offset(Wire.COUNTS, "v");
    static final long OFF_SINCE = Wire.offset(Wire.COUNTS, "off_since");
    static final long OFF_STATE = Wire.offset(Wire.COUNTS, "off_state");
    static final long CPU_SEEN = Wire.offset(Wire.COUNTS, "cpu_seen");
    static final long CPU_MASK = Wire.offset(Wire.COUNTS, "cpu_mask");

    /** Every slot: what an object that sizes its own map (-Dproctap.bpf.object) is read as at most. */
    static final CountsValue ALL = new CountsValue(Metric.SLOTS);

    CountsValue {
        if (slots < 0 || slots > Metric.SLOTS) {
            throw new IllegalArgumentException("pt_counts with " + slots + " of " + Metric.SLOTS + " slots");
        }
    }

    /** Every counter and the histograms asked for: the slots up to the last of these. */
    static CountsValue measuring(Set<Metric> histograms) {
        int end = 0;
        for (Metric m : Metric.values()) {
            if (!m.isHistogram() || histograms.contains(m)) {
                end = Math.max(end, m.slot + m.slots);
            }
        }
        return new CountsValue(end);
    }

    /** The slots a map of this value size holds (a size beyond struct pt_counts: all of them). */
    static CountsValue ofSize(long bytes) {
        return new CountsValue((int) Math.min(Metric.SLOTS, Math.max(0, (bytes - HEADER) / Long.BYTES)));
    }

    /** The map's value size (pt_config.counts_size). */
    int byteSize() {
        return (int) (HEADER + (long) slots * Long.BYTES);
    }

    /** A values array ({@link Metric#SLOTS} longs) of one CPU's counters: the slots not held are 0. */
    long[] values(MemorySegment row) {
        long[] v = Values.zero();
        MemorySegment.copy(row, ValueLayout.JAVA_LONG_UNALIGNED, HEADER, v, 0, slots);
        Softirq.totalsFromVectors(v);
        return v;
    }

    static long offSince(MemorySegment row) {
        return row.get(ValueLayout.JAVA_LONG_UNALIGNED, OFF_SINCE);
    }

    static int offState(MemorySegment row) {
        return row.get(ValueLayout.JAVA_INT_UNALIGNED, OFF_STATE);
    }
}
