package org.proctap.stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.proctap.metric.Values;
import org.proctap.report.CpuProcessCounters;
import org.proctap.report.CpuTaskCounters;
import org.proctap.report.IntervalReport;

/**
 * A table per CPU and process instead of per CPU and task ({@code --per-process}, as pidstat
 * shows it without {@code -t}): the rows of a process's threads on one CPU summed slot by slot,
 * every metric and every histogram slot alike (each is a count or a time over the same span),
 * and how many threads were summed. What the source does not measure stays unmeasured: the
 * report's {@code measured} set is kept. Everything else in the report (the per-task rows, the
 * final per-process summary, losses and repairs) is kept as it is.
 */
public final class PerProcess {
    private PerProcess() {
    }

    private record Key(int cpu, int tgid) {
    }

    public static IntervalReport of(IntervalReport report) {
        Map<Key, long[]> sums = new LinkedHashMap<>();
        Map<Key, Integer> threads = new LinkedHashMap<>();
        Map<Key, String> anyComm = new LinkedHashMap<>();
        for (CpuTaskCounters row : report.rows()) {
            Key key = new Key(row.cpu(), row.tgid());
            Values.add(sums.computeIfAbsent(key, k -> Values.zero()), row.values());
            // One row per task and CPU (the aggregator keys them by task incarnation): rows are threads.
            threads.merge(key, 1, Integer::sum);
            if (row.tid() == row.tgid() || !anyComm.containsKey(key)) {
                anyComm.put(key, row.comm());
            }
        }
        List<CpuProcessCounters> rows = new ArrayList<>(sums.size());
        sums.forEach((key, v) -> rows.add(new CpuProcessCounters(key.cpu(), key.tgid(),
                report.processNames().getOrDefault(key.tgid(), anyComm.get(key)), threads.get(key), v)));
        rows.sort((a, b) -> a.cpu() != b.cpu() ? Integer.compare(a.cpu(), b.cpu()) : Integer.compare(a.tgid(), b.tgid()));
        return report.withProcessRows(rows);
    }
}
