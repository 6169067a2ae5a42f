package org.proctap.output;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.proctap.metric.Log2Slots;
import org.proctap.metric.Metric;
import org.proctap.report.CpuProcessCounters;
import org.proctap.report.CpuTaskCounters;
import org.proctap.report.ExecReport;
import org.proctap.report.ExitReport;
import org.proctap.report.ForkReport;
import org.proctap.report.IntervalReport;
import org.proctap.report.ProcessHistogram;
import org.proctap.report.ProcessSummary;
import org.proctap.report.Report;

/**
 * JSON Lines: one object per live event and per table row, then one per table, each with
 * {@code type}, {@code ts_ns} (kernel CLOCK_MONOTONIC) and {@code time} (wall clock, ISO-8601 UTC).
 * The fields are documented in the README.
 */
public final class JsonOutput implements Output {
    private final Sink out;
    private final WallClock clock;
    private final ObjectMapper mapper = new ObjectMapper();
    private final List<Metric> histograms;

    public JsonOutput(Sink out, WallClock clock) {
        this(out, clock, List.of());
    }

    /** @param histograms one "hist" line per process and each of these, per table (--hist) */
    public JsonOutput(Sink out, WallClock clock, List<Metric> histograms) {
        this.out = out;
        this.clock = clock;
        this.histograms = List.copyOf(histograms);
    }

    private ObjectNode node(String type, long ts) {
        ObjectNode n = mapper.createObjectNode();
        n.put("type", type);
        n.put("ts_ns", ts);
        n.put("time", clock.toInstant(ts).toString());
        return n;
    }

    private void emit(ObjectNode n) {
        try {
            out.println(mapper.writeValueAsString(n));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void start(StartInfo info) {
        ObjectNode n = node("start", info.ts());
        ObjectNode target = n.putObject("target");
        target.put("mode", info.mode());
        switch (info.mode()) {
            case "name" -> target.put("name", info.target());
            case "pid" -> {
                var pids = target.putArray("pids");
                info.pids().forEach(pids::add);
            }
            case "cgroup" -> target.put("cgroup", info.target());
            default -> {
                var cmd = target.putArray("command");
                info.command().forEach(cmd::add);
                if (!info.pids().isEmpty()) {
                    target.put("pid", info.pids().getFirst());
                }
            }
        }
        n.put("backend", info.backend());
        n.put("interval_s", info.intervalSeconds());
        n.put("cumulative", info.cumulative());
        emit(n);
        out.flush();
    }

    @Override
    public void report(Report report) {
        ObjectNode n;
        switch (report) {
            case ExecReport e -> {
                n = node("exec", e.ts());
                putCpu(n, "cpu", e.cpu());
                n.put("pid", e.pid());
                n.put("tgid", e.tgid());
                n.put("old_pid", e.oldPid());
                n.put("filename", e.filename());
                n.put("syscall", e.syscall());
                n.put("comm", e.comm());
            }
            case ForkReport f -> {
                n = node("fork", f.ts());
                putCpu(n, "cpu", f.cpu());
                n.put("pid", f.pid());
                n.put("tgid", f.tgid());
                n.put("comm", f.comm());
                n.put("child_pid", f.childPid());
                n.put("child_tgid", f.childTgid());
                n.put("child_comm", f.childComm());
                n.put("kind", f.kind());
                n.put("syscall", f.syscall());
                n.put("thread", f.thread());
                if (f.cloneFlags() == ForkReport.UNKNOWN_FLAGS) {
                    n.putNull("clone_flags");
                } else {
                    n.put("clone_flags", f.cloneFlags());
                }
            }
            case ExitReport x -> {
                n = node("exit", x.ts());
                putCpu(n, "cpu", x.cpu());
                n.put("pid", x.pid());
                n.put("tgid", x.tgid());
                n.put("comm", x.comm());
                n.put("exit_code", x.status().code());
                n.put("signal", x.status().signal());
                n.put("signal_name", x.status().signalName());
            }
        }
        emit(n);
        out.flush();
    }

    @Override
    public void interval(IntervalReport interval) {
        int rows = 0;
        if (interval.perProcess()) {
            for (CpuProcessCounters row : interval.processRows()) {
                // pid is the process, as in a per-task row it is the task; there is no tid field
                ObjectNode n = stats(interval, row.cpu(), row.tgid(), row.tgid(), row.comm());
                n.put("threads", row.threads());
                emitRow(n, interval, row.values());
                rows++;
            }
        } else {
            for (CpuTaskCounters row : interval.rows()) {
                ObjectNode n = stats(interval, row.cpu(), row.tid(), row.tgid(), row.comm());
                if (!row.hasCpu()) {
                    putCpu(n, "last_cpu", row.lastCpu()); // (a whole task's row: where it was when last read)
                }
                emitRow(n, interval, row.values());
                rows++;
            }
        }
        for (ProcessHistogram h : ProcessHistogram.of(interval, histograms)) {
            emit(histogram(interval, h));
        }
        ObjectNode n = node("interval", interval.endNs());
        n.put("interval", interval.index());
        n.put("start_ns", interval.startNs());
        n.put("rows", rows);
        n.put("per_process", interval.perProcess());
        ObjectNode lost = n.putObject("lost");
        ObjectNode repairs = n.putObject("repairs");
        ObjectNode repairedNs = n.putObject("repaired_ns");
        for (int cpu = 0; cpu < interval.lostPerCpu().length; cpu++) {
            lost.put(Integer.toString(cpu), interval.lostPerCpu()[cpu]);
        }
        for (int cpu = 0; cpu < interval.repairsPerCpu().length; cpu++) {
            repairs.put(Integer.toString(cpu), interval.repairsPerCpu()[cpu]);
        }
        for (int cpu = 0; cpu < interval.repairedNsPerCpu().length; cpu++) {
            repairedNs.put(Integer.toString(cpu), interval.repairedNsPerCpu()[cpu]);
        }
        n.put("lost_total", interval.lostTotal());
        if (interval.polling() != null) {
            // the /proc poller: lines come from comparing polls (a process shorter than a poll can be missed)
            ObjectNode polling = n.putObject("polling");
            polling.put("hz", interval.polling().hz());
            polling.put("polls", interval.polling().polls());
            polling.put("period_ns", interval.polling().periodNs());
            polling.put("unreadable", interval.polling().unreadable());
            polling.put("lines_approximate", true);
        }
        n.put("final", interval.fin());
        n.put("cumulative", interval.cumulative());
        emit(n);
        for (ProcessSummary p : interval.processes()) {
            ObjectNode line = node("summary", interval.endNs());
            line.put("pid", p.tgid());
            line.put("tgid", p.tgid());
            line.put("comm", p.comm());
            for (Metric m : Metric.values()) {
                if (!m.isHistogram()) {
                    put(line, m, interval.measured().contains(m) ? p.values() : null);
                }
            }
            boolean times = interval.measured().containsAll(ProcessSummary.TIME) && p.accounted() > 0;
            for (Metric m : List.of(Metric.ONCPU_NS, Metric.WAIT_NS, Metric.SLEEP_NS, Metric.IO_NS)) {
                String field = m.json.replace("_ns", "_pct");
                if (times) {
                    line.put(field, Math.round(1000.0 * p.get(m) / p.accounted()) / 10.0);
                } else {
                    line.putNull(field);
                }
            }
            emit(line);
        }
        out.flush();
    }

    private ObjectNode stats(IntervalReport interval, int cpu, int pid, int tgid, String comm) {
        ObjectNode n = node("stats", interval.endNs());
        n.put("interval", interval.index());
        n.put("start_ns", interval.startNs());
        putCpu(n, "cpu", cpu);
        n.put("pid", pid);
        n.put("tgid", tgid);
        n.put("comm", comm);
        String cgroup = interval.cgroups().get(tgid);
        if (cgroup != null) {
            n.put("cgroup", cgroup); // (--cgroup only)
        }
        return n;
    }

    /** Every metric of a row ({@code null} when not measured), then {@code final}; emits it. */
    private void emitRow(ObjectNode n, IntervalReport interval, long[] values) {
        for (Metric m : Metric.values()) {
            if (m.isHistogram()) {
                continue; // a "hist" line of its own, when asked for
            }
            put(n, m, interval.measured().contains(m) ? values : null);
            if (m == Metric.RUNS) {
                // the seed's hrtimer column, in its unit
                n.put("hrtimer_us", interval.measured().contains(Metric.TIMER_NS)
                        ? values[Metric.TIMER_NS.slot] / 1000 : null);
            }
        }
        n.put("final", interval.fin());
        emit(n);
    }

    /** A CPU number, or null for {@link CpuTaskCounters#NO_CPU}. */
    private static void putCpu(ObjectNode n, String field, int cpu) {
        if (cpu == CpuTaskCounters.NO_CPU) {
            n.putNull(field);
        } else {
            n.put(field, cpu);
        }
    }

    /**
     * A process's histogram in this table: its slots up to the last non-empty one, each with its
     * bounds in {@code unit} ({@code high} null for the last slot, which has none); {@code count}
     * and {@code slots} null when the source does not measure it.
     */
    private ObjectNode histogram(IntervalReport interval, ProcessHistogram h) {
        ObjectNode n = node("hist", interval.endNs());
        n.put("interval", interval.index());
        n.put("start_ns", interval.startNs());
        n.put("kind", h.metric().column);
        n.put("pid", h.tgid());
        n.put("tgid", h.tgid());
        n.put("comm", h.comm());
        n.put("unit", "us");
        if (!h.measured()) {
            n.putNull("count");
            n.putNull("slots");
        } else {
            n.put("count", h.total());
            ArrayNode slots = n.putArray("slots");
            long[] c = h.counts();
            int last = c.length - 1;
            while (last >= 0 && c[last] == 0) {
                last--;
            }
            for (int i = 0; i <= last; i++) {
                ObjectNode s = slots.addObject();
                s.put("low", Log2Slots.low(i));
                long high = Log2Slots.high(i);
                if (high < 0) {
                    s.putNull("high");
                } else {
                    s.put("high", high);
                }
                s.put("count", c[i]);
            }
        }
        n.put("final", interval.fin());
        n.put("cumulative", interval.cumulative());
        return n;
    }

    /**
     * A metric's field: its value, an object {@code {"KIND": value}} for one counted per kind
     * (every kind, zeros included, so that a reader need not know which exist), or null when the
     * source does not measure it ({@code values} null).
     */
    private static void put(ObjectNode n, Metric m, long[] values) {
        if (values == null) {
            n.putNull(m.json);
        } else if (m.kinds.isEmpty()) {
            n.put(m.json, m.of(values));
        } else {
            ObjectNode byKind = n.putObject(m.json);
            for (int i = 0; i < m.kinds.size(); i++) {
                byKind.put(m.kinds.get(i), m.of(values, i));
            }
        }
    }

    @Override
    public void bye() {
        emit(node("bye", System.nanoTime()));
        out.flush();
    }
}
