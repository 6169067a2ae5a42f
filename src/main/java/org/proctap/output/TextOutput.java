package org.proctap.output;

import org.proctap.report.CpuTaskCounters;
import org.proctap.report.ExecReport;
import org.proctap.report.ExitReport;
import org.proctap.report.ExitStatus;
import org.proctap.report.ForkReport;
import org.proctap.report.IntervalReport;
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

    public TextOutput(Sink out, boolean seedFormat) {
        this.out = out;
        this.seedFormat = seedFormat;
    }

    @Override
    public void start(StartInfo info) {
        switch (info.mode()) {
            case "name" -> out.println("Watching process: " + info.target());
            case "pid" -> out.println("Watching PID: " + info.target());
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

    @Override
    public void interval(IntervalReport interval) {
        StringBuilder sb = new StringBuilder();
        sb.append('\n').append(RULE).append('\n');
        sb.append("Scheduling stats:\n");
        if (seedFormat) {
            sb.append("CPU\tPID\trun\thrtimer\t\tcomm\n");
        } else {
            sb.append("CPU\tPID\trun\thrtimer\t\tcomm           \t     on-cpu\ttimers\tTGID\n");
        }
        for (CpuTaskCounters row : interval.rows()) {
            sb.append(row.cpu()).append('\t').append(row.tid()).append('\t')
                    .append(String.format("%3d", row.runs())).append('\t')
                    .append(String.format("%7d us", row.timerNs() / 1000)).append('\t');
            if (seedFormat) {
                sb.append(row.comm()).append('\n');
            } else {
                sb.append(String.format("%-15s\t%8.3f ms\t%6d\t%d", row.comm(), row.oncpuNs() / 1e6, row.timerCount(),
                        row.tgid())).append('\n');
            }
        }
        if (interval.lostTotal() > 0) {
            sb.append("Lost events:");
            long[] lost = interval.lostPerCpu();
            for (int cpu = 0; cpu < lost.length; cpu++) {
                sb.append(cpu == 0 ? " " : ", ").append("CPU").append(cpu).append(' ').append(lost[cpu]);
            }
            sb.append(" (the kernel dropped them: counts above are too low)\n");
        }
        sb.append(RULE).append('\n');
        out.print(sb);
        out.flush();
    }

    @Override
    public void bye() {
        out.println("Bye...");
        out.flush();
    }
}
