package org.proctap.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.proctap.metric.Metric;
import org.proctap.output.TextOutput;

import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The usage help's sections that picocli's annotation has no place for: the text columns and
 * the JSON Lines objects. They go before the exit codes and the examples, in --help and, through
 * packaging/ManPage.java (which renders every section it finds under a {@value #PREFIX} key),
 * in the man page: one text for both. The columns come from {@link Metric}, as the outputs do.
 */
final class HelpSections {
    /** Keys of these sections start so; a heading's key ends in {@value #HEADING}. */
    static final String PREFIX = "proctap.";
    static final String HEADING = ".heading";

    private HelpSections() {
    }

    static void addTo(UsageMessageSpec usage) {
        List<String> keys = new ArrayList<>(usage.sectionKeys());
        int at = keys.indexOf(UsageMessageSpec.SECTION_KEY_EXIT_CODE_LIST_HEADING);
        List<String> ours = List.of(PREFIX + "columns" + HEADING, PREFIX + "columns",
                PREFIX + "json" + HEADING, PREFIX + "json");
        keys.addAll(at, ours);
        usage.sectionKeys(keys);
        usage.sectionMap().put(ours.get(0), help -> help.createHeading("%nColumns (--columns; JSON: stats rows):%n"));
        usage.sectionMap().put(ours.get(1), HelpSections::columns);
        usage.sectionMap().put(ours.get(2), help -> help.createHeading("%nJSON Lines (--json):%n"));
        usage.sectionMap().put(ours.get(3), HelpSections::json);
    }

    private static String columns(Help help) {
        TextTable t = table(help, 14, 24);
        t.addRowValues("CPU, PID", "cpu, pid", "always: the CPU, the kernel task id (a thread id)");
        t.addRowValues("run", "run", "always (" + Metric.RUNS.description + ")");
        t.addRowValues("hrtimer", "hrtimer_us, hrtimer_ns", "always: " + Metric.TIMER_NS.description);
        t.addRowValues("comm, TGID", "comm, tgid", "always: the task's name, its process");
        for (Metric m : Metric.values()) {
            if (m.inText() && !TextOutput.SEED.contains(m)) {
                t.addRowValues(m.column, m.json, m.description);
            } else if (m.column == null) {
                t.addRowValues("-", m.json, m.description + ", an object {vector: value}");
            }
        }
        return t.toString() + help.createHeading("Times in text are ms, in JSON ns; null (text: -) when the "
                + "source cannot measure it. Default: on-cpu,wait,sleep,io,preempt,vol,migr.%n");
    }

    private static String json(Help help) {
        TextTable t = table(help, 12);
        String metrics = String.join(", ", Arrays.stream(Metric.values()).filter(m -> !m.isHistogram())
                .map(m -> m == Metric.TIMER_NS ? "hrtimer_us, hrtimer_ns" : m.json).toList());
        t.addRowValues("(every)", "type, ts_ns (kernel CLOCK_MONOTONIC, ns), time (wall clock, ISO-8601 UTC)");
        t.addRowValues("start", "target {mode: name|pid|command|cgroup, name / pids / command+pid / cgroup}, "
                + "backend, interval_s, cumulative; printed once the kernel is recording");
        t.addRowValues("exec", "cpu, pid (task), tgid, old_pid, filename (as passed to exec), "
                + "syscall (execve|execveat|null), comm (new name)");
        t.addRowValues("fork", "cpu, pid (the forking task), tgid, comm, child_pid, child_tgid, child_comm, "
                + "kind (fork|vfork|clone), syscall (clone|clone3|fork|vfork|null), thread, "
                + "clone_flags (null on proc)");
        t.addRowValues("exit", "cpu, pid (last task), tgid, comm, exit_code (or null), signal (or null), "
                + "signal_name; one per process");
        t.addRowValues("stats", "one per table row: interval, start_ns, ts_ns (= interval end), cpu, pid (task), "
                + "tgid, comm, cgroup (with --cgroup), " + metrics + ", final. On proc cpu is null "
                + "and last_cpu the CPU it was last on. With --per-process: pid = tgid = the process, and "
                + "threads (how many were summed)");
        t.addRowValues("hist", "with --hist, per process after the stats rows: interval, start_ns, "
                + "kind (wait|slice), pid = tgid, comm, unit (us), count, slots [{low, high, count}] "
                + "(high null for the last), final, cumulative");
        t.addRowValues("interval", "one per table, after its rows: interval, start_ns, rows, lost {cpu: events}, "
                + "lost_total, repairs {cpu: n}, repaired_ns {cpu: ns}, final, cumulative, per_process; "
                + "on proc polling {hz, polls, period_ns, unreadable, lines_approximate}");
        t.addRowValues("summary", "one per watched process after the final interval: pid = tgid, comm, every "
                + "stats metric summed, oncpu_pct, wait_pct, sleep_pct, io_pct");
        t.addRowValues("bye", "the last line");
        return t.toString();
    }

    /** Columns of these widths (the first indented by two), then one that wraps in the rest of the line. */
    private static TextTable table(Help help, int... fixed) {
        Column[] columns = new Column[fixed.length + 1];
        int used = 0;
        for (int i = 0; i < fixed.length; i++) {
            columns[i] = new Column(fixed[i], i == 0 ? 2 : 0, Column.Overflow.SPAN);
            used += fixed[i];
        }
        columns[fixed.length] = new Column(help.commandSpec().usageMessage().width() - used, 1, Column.Overflow.WRAP);
        return TextTable.forColumns(help.colorScheme(), columns);
    }
}
