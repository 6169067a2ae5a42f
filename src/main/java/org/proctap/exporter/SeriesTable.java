package org.proctap.exporter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.proctap.metric.Values;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuTaskCounters;

/**
 * Turns the sources' snapshots of running totals per CPU and task into running totals per
 * label set, which only ever grow. Each snapshot's difference to the last one is added to the
 * label set of its row (as {@code IntervalAggregator} takes differences: a total that came back
 * lower does not lower the baseline), so a task that exits or a pid the kernel reuses leaves its
 * totals where they were counted: in its name's series by default, in its pid's with
 * {@code --metrics-by pid}. Sources drop an exited task's rows a few snapshots after its exit
 * (or retire them, CounterSnapshot#partial); its baselines go with them.
 *
 * <p>Bounded: at most {@code maxSeries} label sets; a new one past that counts into the overflow
 * series of its CPU (no comm, pid or tid label), so sums stay right, and is counted once in
 * {@link Frame#dropped}. With pid or tid labels a label set none of whose tasks was in the
 * snapshots for {@link #RETIRE_NS} is retired: its series disappears from the scrape (Prometheus
 * marks it stale, and its history answers {@code increase()}), and its place is free. Its totals
 * are not moved into another series: a series that jumped by a dead pid's total would show that
 * total as a burst in {@code rate()}. A name's series is never retired: it is where the exited
 * processes' totals stay.
 */
final class SeriesTable {
    /** How long a dead pid's or tid's series is still scraped: several scrapes at 15 s. */
    static final long RETIRE_NS = 60_000_000_000L;

    private record RowKey(int cpu, long incarnation) {
    }

    /** A label set's totals, or an alias of the overflow series that counts for it. */
    private static final class Entry {
        final LabelSet labels;
        final Entry target;
        long[] totals = Values.zero();
        long lastSeen;

        Entry(LabelSet labels, Entry target) {
            this.labels = labels;
            this.target = target;
        }
    }

    private final MetricsBy by;
    private final int maxSeries;
    /** Each row's totals as last seen, compact (Values#compact). */
    private final Map<RowKey, long[]> baselines = new HashMap<>();
    private final Map<LabelSet, Entry> entries = new LinkedHashMap<>();
    private final Map<Integer, Entry> overflow = new LinkedHashMap<>();
    /** Entries with their own totals, overflow ones not included. */
    private int owned;
    private long dropped;

    SeriesTable(MetricsBy by, int maxSeries) {
        this.by = by;
        this.maxSeries = maxSeries;
    }

    /** Adds one snapshot; returns what scrapes show from now on. */
    Frame next(CounterSnapshot snap, long wallMillis) {
        Map<RowKey, long[]> seen = new HashMap<>(snap.counters().size() * 2);
        for (CpuTaskCounters now : snap.counters()) {
            RowKey key = new RowKey(now.cpu(), now.incarnation());
            long[] before = baselines.get(key);
            long[] delta = before == null ? now.values() : Values.minus(now.values(), before);
            seen.put(key, Values.compact(before == null ? now.values() : Values.max(now.values(), before)));
            Entry e = entry(LabelSet.of(now, by, snap.cgroups().isEmpty() ? null : snap.cgroups().get(now.tgid())));
            e.lastSeen = snap.ts();
            Entry counted = e.target != null ? e.target : e;
            if (!Values.isZero(delta)) {
                long[] sum = counted.totals.clone(); // a new array: earlier frames keep theirs
                Values.add(sum, delta);
                counted.totals = sum;
            }
        }
        snap.advance(baselines, seen, RowKey::new);
        retire(snap.ts());
        List<Frame.Series> series = new ArrayList<>(owned + overflow.size());
        for (Entry e : entries.values()) {
            if (e.target == null) {
                series.add(new Frame.Series(e.labels, e.totals));
            }
        }
        for (Entry e : overflow.values()) {
            series.add(new Frame.Series(e.labels, e.totals));
        }
        return new Frame(List.copyOf(series), snap.lostPerCpu().clone(), snap.measured(), wallMillis, dropped,
                snap.fin());
    }

    private Entry entry(LabelSet labels) {
        Entry e = entries.get(labels);
        if (e != null) {
            return e;
        }
        if (owned < maxSeries) {
            e = new Entry(labels, null);
            owned++;
        } else {
            Entry spill = overflow.computeIfAbsent(labels.cpu(),
                    cpu -> new Entry(new LabelSet("", cpu, -1, -1), null));
            e = new Entry(labels, spill);
            dropped++;
        }
        entries.put(labels, e);
        return e;
    }

    /**
     * Forgets what no snapshot showed for {@link #RETIRE_NS}: pid and tid series, and every alias
     * of an overflow series (it holds nothing; should the label set come back, it is counted
     * again).
     */
    private void retire(long ts) {
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (ts - e.lastSeen < RETIRE_NS) {
                continue;
            }
            if (e.target != null) {
                it.remove();
            } else if (by != MetricsBy.COMM) {
                it.remove();
                owned--;
            }
        }
    }
}
