package org.proctap.output;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.proctap.metric.Metric;
import org.proctap.metric.Unit;

import org.proctap.report.CpuTaskCounters;
import org.proctap.report.ExecReport;
import org.proctap.report.ExitReport;
import org.proctap.report.ExitStatus;
import org.proctap.report.ForkReport;
import org.proctap.report.IntervalReport;
import org.proctap.report.Polling;
import org.proctap.report.ProcessHistogram;
import org.proctap.report.ProcessSummary;
import org.proctap.report.Report;

/**
 * The seed's text, word for word where it has words: "Watching process: NAME", exec lines, the
 * "Scheduling stats" table between rules, "Bye...". Columns proctap adds come after the seed's
 * five; {@code --seed-format} prints only those five.
 */
public final class TextOutput implements Output {
    static final String RULE = "================================================";

    private final Sink out;
    private final boolean seedFormat;
    private final List<Metric> columns;
    private final List<Metric> histograms;

    /** @param columns the figures shown after comm, in this order (--columns) */
    public TextOutput(Sink out, boolean seedFormat, List<Metric> columns) {
        this(out, seedFormat, columns, List.of());
    }

    /** @param histograms printed after each table, per process, in this order (--hist) */
    public TextOutput(Sink out, boolean seedFormat, List<Metric> columns, List<Metric> histograms) {
        this.out = out;
        this.seedFormat = seedFormat;
        this.columns = List.copyOf(columns);
        this.histograms = List.copyOf(histograms);
    }

    @Override
    public void start(StartInfo info) {
        switch (info.mode()) {
            case "name" -> out.println("Watching process: " + info.target());
            case "pid" -> out.println("Watching PID: " + info.target());
            case "cgroup" -> out.println("Watching cgroup: " + info.target());
            default -> out.println("Watching command: " + info.target()
                    + (info.pids().isEmpty() ? "" : " (PID " + info.pids().getFirst() + ")"));
        }
        out.flush();
    }

    @Override
    public void report(Report report) {
        out.println(line(report));
        out.flush();
    }

    static String line(Report report) {
        return switch (report) {
            case ExecReport e -> "PID " + e.pid() + " executed " + (e.syscall() != null ? e.syscall() : "execve")
                    + " syscall for pathname: " + e.filename();
            case ForkReport f -> "PID " + f.pid() + " executed " + f.kind()
                    + (f.syscall() != null ? " (" + f.syscall() + " syscall)" : "")
                    + ": child PID " + f.childPid() + " is a " + (f.thread() ? "thread" : "process");
            case ExitReport x -> "PID " + x.tgid() + " " + describe(x.status());
        };
    }

    static String describe(ExitStatus status) {
        if (status.code() != null) {
            return "exited with code " + status.code();
        }
        if (status.signal() != null) {
            return "was killed by signal " + status.signalName() + " (" + status.signal() + ")";
        }
        return "exited (exit status unknown)";
    }

    /** The seed's own figures, always in its five columns; the others follow comm. */
    public static final Set<Metric> SEED = EnumSet.of(Metric.RUNS, Metric.TIMER_NS);

    @Override
    public void interval(IntervalReport interval) {
        StringBuilder sb = new StringBuilder();
        sb.append('\n').append(RULE).append('\n');
        sb.append("Scheduling stats:\n");
        sb.append("CPU\tPID\trun\thrtimer\t\tcomm");
        if (!seedFormat) {
            sb.append("           \t");
            for (Metric m : columns) {
                sb.append(' ').append(pad(header(m), width(m)));
            }
            sb.append(' ').append(pad(interval.perProcess() ? "THREADS" : "TGID", 7));
        }
        sb.append('\n');
        Set<Metric> measured = interval.measured();
        for (Line row : lines(interval)) {
            sb.append(row.cpu() == CpuTaskCounters.NO_CPU ? "-" : Integer.toString(row.cpu())).append('\t')
                    .append(row.pid()).append('\t')
                    .append(measured.contains(Metric.RUNS) ? String.format("%3d", row.get(Metric.RUNS)) : "  -")
                    .append('\t')
                    .append(measured.contains(Metric.TIMER_NS)
                            ? String.format("%7d us", row.get(Metric.TIMER_NS) / 1000) : "      - us")
                    .append('\t');
            if (seedFormat) {
                sb.append(row.comm()).append('\n');
                continue;
            }
            sb.append(String.format("%-15s", row.comm())).append('\t');
            for (Metric m : columns) {
                sb.append(' ').append(measured.contains(m) ? cell(m, row.get(m)) : pad("-", width(m)));
            }
            sb.append(' ').append(pad(Integer.toString(row.last()), 7)).append('\n');
        }
        if (interval.lostTotal() > 0) {
            sb.append("Lost events:");
            long[] lost = interval.lostPerCpu();
            for (int cpu = 0; cpu < lost.length; cpu++) {
                sb.append(cpu == 0 ? " " : ", ").append("CPU").append(cpu).append(' ').append(lost[cpu]);
            }
            sb.append(" (the kernel dropped them: counts above are too low)\n");
        }
        if (interval.polling() != null) {
            sb.append(pollingFooter(interval.polling()));
        }
        sb.append(RULE).append('\n');
        for (ProcessHistogram h : ProcessHistogram.of(interval, histograms)) {
            sb.append(histogram(h));
        }
        if (!seedFormat) {
            for (ProcessSummary p : interval.processes()) {
                sb.append(summaryLine(p, measured)).append('\n');
            }
        }
        out.print(sb);
        out.flush();
    }

    /**
     * What a table from the /proc poller cannot show, under it: no CPU split, and lines found by
     * comparing polls, which can miss a process shorter than one poll.
     */
    static String pollingFooter(Polling p) {
        String period = p.periodNs() % 1_000_000 == 0 ? (p.periodNs() / 1_000_000) + " ms"
                : String.format("%.3f ms", p.periodNs() / 1e6);
        String s = "Polled /proc at " + hz(p.hz()) + " Hz (" + p.polls() + " polls): no CPU split; exec, fork and exit"
                + " lines are approximate: a process shorter than " + period + " can be missed\n";
        if (p.unreadable() > 0) {
            s += "Not readable: " + p.unreadable() + (p.unreadable() == 1 ? " process" : " processes")
                    + " (not counted)\n";
        }
        return s;
    }

    private static String hz(double hz) {
        return hz == Math.rint(hz) ? Long.toString((long) hz) : Double.toString(hz);
    }

    /**
     * A table row as printed: per task, PID is the task and the last column its process (TGID);
     * per process, PID is the process and the last column how many of its threads were summed.
     */
    private record Line(int cpu, int pid, String comm, long[] values, int last) {
        long get(Metric m) {
            return values[m.slot];
        }
    }

    private static List<Line> lines(IntervalReport interval) {
        if (interval.perProcess()) {
            return interval.processRows().stream()
                    .map(r -> new Line(r.cpu(), r.tgid(), r.comm(), r.values(), r.threads())).toList();
        }
        return interval.rows().stream().map(r -> new Line(r.cpu(), r.tid(), r.comm(), r.values(), r.tgid())).toList();
    }

    /**
     * One process's histogram, runqlat's way, under a line naming it: {@code Slice histogram, PID
     * 4242 stress:}; "none" when nothing was counted, "-" when the source does not measure it.
     */
    static String histogram(ProcessHistogram h) {
        String head = "\n" + Character.toUpperCase(h.metric().column.charAt(0)) + h.metric().column.substring(1)
                + " histogram, PID " + h.tgid() + " " + h.comm() + ":";
        if (!h.measured()) {
            return head + " - (not measured)\n";
        }
        if (h.total() == 0) {
            return head + " none\n";
        }
        return head + "\n" + Log2Text.render("usecs", h.counts());
    }

    /**
     * {@code PID 4242 stress: ran 41.0% · waited 12.3% · slept 44.9% · io 1.8%}: shares of the
     * time accounted to the process's threads; its on-CPU time alone when the source does not
     * measure the rest.
     */
    static String summaryLine(ProcessSummary p, Set<Metric> measured) {
        String head = "PID " + p.tgid() + " " + p.comm() + ": ";
        long total = p.accounted();
        if (!measured.containsAll(ProcessSummary.TIME) || total == 0) {
            String ran = head + "ran " + String.format("%.3f", p.get(Metric.ONCPU_NS) / 1e6) + " ms";
            if (measured.containsAll(ProcessSummary.TIME)) {
                return ran;
            }
            return measured.contains(Metric.WAIT_NS)
                    ? ran + " · waited " + String.format("%.3f", p.get(Metric.WAIT_NS) / 1e6) + " ms (sleep and io not measured)"
                    : ran + " (wait, sleep and io not measured)";
        }
        return head + "ran " + share(p.get(Metric.ONCPU_NS), total) + " · waited " + share(p.get(Metric.WAIT_NS), total)
                + " · slept " + share(p.get(Metric.SLEEP_NS), total) + " · io " + share(p.get(Metric.IO_NS), total);
    }

    private static String share(long part, long total) {
        return String.format("%.1f%%", 100.0 * part / total);
    }

    /** Times are in milliseconds, said once in the header. */
    private static String header(Metric m) {
        return m.unit == Unit.NS ? m.column + " ms" : m.column;
    }

    private static int width(Metric m) {
        return Math.max(header(m).length(), m.unit == Unit.NS ? 10 : 6);
    }

    /** Time in milliseconds with microsecond digits; counts as they are. */
    private static String cell(Metric m, long v) {
        return pad(m.unit == Unit.NS ? String.format("%.3f", v / 1e6) : Long.toString(v), width(m));
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }

    @Override
    public void bye() {
        out.println("Bye...");
        out.flush();
    }
}
