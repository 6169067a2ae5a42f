package org.proctap.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuTaskCounters;
import org.proctap.report.IntervalReport;
import org.proctap.report.ProcessSummary;
import org.proctap.metric.Metric;
import org.proctap.metric.Values;

/**
 * Turns running totals into tables: per-interval differences (the seed resets its counts every
 * interval) or, with {@code cumulative}, totals since the start. Sources only ever report running
 * totals, so a reader that samples while the kernel counts can neither lose nor double-count an
 * increment; a task that disappears from the snapshots keeps its last totals here. A partial
 * snapshot (CounterSnapshot#partial) leaves the rows that did not change out: their baselines stay
 * until the source retires them.
 */
public final class IntervalAggregator {
    private static final Comparator<CpuTaskCounters> ORDER =
            Comparator.comparingInt(CpuTaskCounters::cpu).thenComparingInt(CpuTaskCounters::tid)
                    .thenComparingLong(CpuTaskCounters::incarnation);

    private record Key(int cpu, long incarnation) {
    }

    private final boolean cumulative;
    /** Each row's totals as last shown, compact (Values#compact): one per row of every task watched. */
    private final Map<Key, long[]> last = new HashMap<>();
    /** With {@code cumulative}: each row's totals, to show them all at each table. */
    private final Map<Key, CpuTaskCounters> totals = new LinkedHashMap<>();
    private long[] lastLost = new long[0];
    private long[] lastRepairs = new long[0];
    private long[] lastRepairedNs = new long[0];
    private long lastTs;
    /** Every process's totals so far, by tgid: the sum of every interval's differences. */
    private final Map<Integer, long[]> byProcess = new LinkedHashMap<>();
    /** Each process's name: its main thread's comm when a row of it was seen, else a thread's. */
    private final Map<Integer, String> names = new HashMap<>();
    /** --cgroup: each process's cgroup as last reported (a process that exited keeps its last). */
    private final Map<Integer, String> cgroups = new HashMap<>();
    private final long startTs;
    private int index;

    public IntervalAggregator(boolean cumulative, long startTs) {
        this.cumulative = cumulative;
        this.startTs = startTs;
        this.lastTs = startTs;
    }

    public IntervalReport next(CounterSnapshot snap) {
        cgroups.putAll(snap.cgroups());
        List<CpuTaskCounters> rows = new ArrayList<>();
        Map<Key, long[]> seen = new HashMap<>();
        for (CpuTaskCounters now : snap.counters()) {
            Key key = new Key(now.cpu(), now.incarnation());
            long[] before = last.get(key);
            CpuTaskCounters delta = before == null ? now : new CpuTaskCounters(now.cpu(), now.tid(),
                    now.incarnation(), now.tgid(), now.comm(), Values.minus(now.values(), before), now.lastCpu());
            // A total that came back lower (an estimate of a running slice that the kernel's own
            // figure later undercut) does not lower the baseline: the next interval does not get
            // the difference a second time.
            long[] baseline = before == null ? now.values() : Values.max(now.values(), before);
            seen.put(key, Values.compact(baseline));
            if (cumulative) {
                totals.put(key, new CpuTaskCounters(now.cpu(), now.tid(), now.incarnation(), now.tgid(), now.comm(),
                        baseline, now.lastCpu()));
            }
            if (!delta.isZero()) {
                Values.add(byProcess.computeIfAbsent(now.tgid(), x -> Values.zero()), delta.values());
            }
            if (now.tid() == now.tgid() || !names.containsKey(now.tgid())) {
                names.put(now.tgid(), now.comm());
            }
            if (!cumulative && !quiet(delta, snap.measured())) {
                rows.add(delta);
            }
        }
        if (cumulative) {
            last.putAll(seen);
            for (CpuTaskCounters total : totals.values()) {
                if (!quiet(total, snap.measured())) {
                    rows.add(total);
                }
            }
        } else {
            snap.advance(last, seen, Key::new);
        }
        rows.sort(ORDER);
        long[] lost = cumulative ? snap.lostPerCpu().clone() : minus(snap.lostPerCpu(), lastLost);
        long[] repairs = cumulative ? snap.repairsPerCpu().clone() : minus(snap.repairsPerCpu(), lastRepairs);
        long[] repairedNs = cumulative ? snap.repairedNsPerCpu().clone()
                : minus(snap.repairedNsPerCpu(), lastRepairedNs);
        lastLost = snap.lostPerCpu().clone();
        lastRepairs = snap.repairsPerCpu().clone();
        lastRepairedNs = snap.repairedNsPerCpu().clone();
        long from = cumulative ? startTs : lastTs;
        lastTs = snap.ts();
        List<ProcessSummary> processes = new ArrayList<>();
        if (snap.fin()) {
            byProcess.forEach((tgid, v) -> processes.add(new ProcessSummary(tgid, names.get(tgid), v.clone())));
            processes.sort(Comparator.comparingInt(ProcessSummary::tgid));
        }
        return new IntervalReport(++index, from, snap.ts(), List.copyOf(rows), lost, repairs, repairedNs, snap.fin(),
                cumulative, snap.measured(), List.copyOf(processes), Map.copyOf(names), null, Map.copyOf(cgroups),
                snap.polling());
    }

    /**
     * Whether a row shows nothing: no figure the source measures is other than 0 (a task asleep
     * all along, where the source does not show sleep, has no row).
     */
    static boolean quiet(CpuTaskCounters row, java.util.Set<Metric> measured) {
        long[] v = row.values();
        for (Metric m : measured) {
            for (int i = 0; i < m.slots; i++) {
                if (v[m.slot + i] != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private static long[] minus(long[] now, long[] before) {
        long[] d = new long[now.length];
        for (int i = 0; i < now.length; i++) {
            d[i] = now[i] - (i < before.length ? before[i] : 0);
        }
        return d;
    }
}
