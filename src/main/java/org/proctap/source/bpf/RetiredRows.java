package org.proctap.source.bpf;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.proctap.metric.Metric;
import org.proctap.metric.Values;
import org.proctap.report.CpuTaskCounters;

/**
 * The final counters of tasks that exited, read out of the counts map (and deleted there) by
 * {@link ExitedTasks}, kept until the next table has shown them: one row per CPU the task did
 * anything on, holding only the slots that are not zero (a short-lived task fills a handful of
 * the {@link Metric#SLOTS}), so that a watch with one table at the end (-i 0) keeps about a
 * hundred bytes per exited task, not a full row.
 */
final class RetiredRows {
    static {
        if (Metric.SLOTS > 256) {
            throw new ExceptionInInitializerError("RetiredRows keeps a slot index in a byte: " + Metric.SLOTS + " slots");
        }
    }

    /** cgroup: --cgroup, the process's cgroup when it exited (null otherwise). */
    private record Row(int cpu, int tid, long incarnation, int tgid, String comm, String cgroup, byte[] slots,
                       long[] values) {
        long[] expand() {
            long[] v = Values.zero();
            for (int i = 0; i < slots.length; i++) {
                v[Byte.toUnsignedInt(slots[i])] = values[i];
            }
            return v;
        }
    }

    private final List<Row> rows = new ArrayList<>();
    /** The incarnations whose entries left the map since the last drain (their rows, if any, are here). */
    private final Set<Long> incarnations = new HashSet<>();

    /** Keeps one CPU's final counters of a task; all zero is nothing to show and is not kept. */
    void add(int cpu, int tid, long incarnation, int tgid, String comm, String cgroup, long[] values) {
        int n = 0;
        for (long v : values) {
            n += v != 0 ? 1 : 0;
        }
        if (n == 0) {
            return;
        }
        byte[] slots = new byte[n];
        long[] kept = new long[n];
        for (int i = 0, j = 0; i < values.length; i++) {
            if (values[i] != 0) {
                slots[j] = (byte) i;
                kept[j++] = values[i];
            }
        }
        rows.add(new Row(cpu, tid, incarnation, tgid, comm, cgroup, slots, kept));
    }

    /** A task's entry left the counts map: none of its rows is ever shown again after the next table. */
    void retire(long incarnation) {
        incarnations.add(incarnation);
    }

    int size() {
        return rows.size();
    }

    /**
     * Every row kept, for one table, and forgets them: a table's aggregator needs a task's final
     * totals once (an interval's difference, or cumulative totals it keeps), as for a task that
     * stops showing up in the map. Puts each row's process's cgroup (--cgroup) into {@code cgroups},
     * and the incarnations retired into {@code retiredOut}.
     */
    List<CpuTaskCounters> drain(Map<Integer, String> cgroups, Set<Long> retiredOut) {
        retiredOut.addAll(incarnations);
        incarnations.clear();
        List<CpuTaskCounters> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(new CpuTaskCounters(r.cpu, r.tid, r.incarnation, r.tgid, r.comm, r.expand()));
            if (r.cgroup != null) {
                cgroups.putIfAbsent(r.tgid, r.cgroup);
            }
        }
        rows.clear();
        return out;
    }
}
