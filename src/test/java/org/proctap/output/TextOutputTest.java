package org.proctap.output;

import org.proctap.metric.Metric;
import org.proctap.metric.TestValues;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.proctap.report.CpuTaskCounters;
import org.proctap.report.ExecReport;
import org.proctap.report.ExitReport;
import org.proctap.report.ExitStatus;
import org.proctap.report.ForkReport;
import org.proctap.report.IntervalReport;

class TextOutputTest {
    private static final IntervalReport TABLE = new IntervalReport(1, 0, 5_000_000_000L, List.of(
            new CpuTaskCounters(0, 289123, 1, 289123, "stress", figures()),
            new CpuTaskCounters(1, 289122, 2, 289122, "stress", TestValues.of(0, 0, 0, 0))),
            new long[] {0, 1234}, new long[] {0, 0}, new long[] {0, 0}, false, false,
            java.util.Set.copyOf(java.util.EnumSet.allOf(Metric.class)));

    /** Every column but timers: the widest table the tests print. */
    static final List<Metric> WIDE = List.of(Metric.ONCPU_NS, Metric.WAIT_NS, Metric.SLEEP_NS, Metric.IO_NS,
            Metric.PREEMPT, Metric.VOL, Metric.MIGR);

    private static long[] figures() {
        long[] v = TestValues.of(86, 4_210_523_000L, 412, 9_700_400);
        v = TestValues.with(v, Metric.WAIT_NS, 612_345_678);
        v = TestValues.with(v, Metric.SLEEP_NS, 123_456);
        v = TestValues.with(v, Metric.IO_NS, 7_000_001);
        v = TestValues.with(v, Metric.PREEMPT, 80);
        v = TestValues.with(v, Metric.VOL, 6);
        return TestValues.with(v, Metric.MIGR, 3);
    }

    private static String render(boolean seed, java.util.function.Consumer<TextOutput> body) {
        return render(seed, WIDE, body);
    }

    private static String render(boolean seed, List<Metric> columns, java.util.function.Consumer<TextOutput> body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TextOutput out = new TextOutput(new Sink(bytes), seed, columns);
        body.accept(out);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = TextOutputTest.class.getResourceAsStream("/golden/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void tableMatchesGolden() throws IOException {
        assertThat(render(false, o -> o.interval(TABLE))).isEqualTo(golden("table.txt"));
    }

    @Test
    void everyColumnButOneFitsA132ColumnTerminal() {
        String text = render(false, o -> o.interval(TABLE));
        assertThat(text.lines().map(TextOutputTest::expandTabs)).allSatisfy(l -> assertThat(l.length())
                .as("'%s'", l).isLessThanOrEqualTo(132));
    }

    @Test
    void columnsComeInTheOrderAsked() {
        String text = render(false, List.of(Metric.MIGR, Metric.TIMER_COUNT), o -> o.interval(TABLE));
        assertThat(text).contains("CPU\tPID\trun\thrtimer\t\tcomm           \t   migr timers    TGID\n")
                .contains("0\t289123\t 86\t   9700 us\tstress         \t      3    412  289123\n");
    }

    @Test
    void aFigureTheSourceDoesNotMeasureIsADashNotAZero() {
        IntervalReport partial = new IntervalReport(1, 0, 5_000_000_000L, TABLE.rows(), new long[] {0, 0},
                new long[] {0, 0}, new long[] {0, 0}, false, false,
                java.util.Set.of(Metric.RUNS, Metric.TIMER_NS, Metric.ONCPU_NS));
        String text = render(false, List.of(Metric.ONCPU_NS, Metric.WAIT_NS, Metric.VOL), o -> o.interval(partial));
        assertThat(text).contains("stress         \t   4210.523          -      -  289123\n");
    }

    private static String expandTabs(String line) {
        StringBuilder sb = new StringBuilder();
        for (char c : line.toCharArray()) {
            if (c == '\t') {
                do {
                    sb.append(' ');
                } while (sb.length() % 8 != 0);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Test
    void perProcessThePidColumnIsTheProcessAndTheLastHowManyThreadsWereSummed() throws IOException {
        IntervalReport byProcess = TABLE.withProcessRows(List.of(
                new org.proctap.report.CpuProcessCounters(0, 289122, "stress", 12, figures()),
                new org.proctap.report.CpuProcessCounters(1, 289122, "stress", 1, TestValues.of(0, 0, 0, 0))));
        assertThat(render(false, o -> o.interval(byProcess))).isEqualTo(golden("table-per-process.txt"));
    }

    @Test
    void perProcessAFigureTheSourceDoesNotMeasureIsStillADash() {
        IntervalReport partial = new IntervalReport(1, 0, 5_000_000_000L, TABLE.rows(), new long[] {0, 0},
                new long[] {0, 0}, new long[] {0, 0}, false, false,
                java.util.Set.of(Metric.RUNS, Metric.TIMER_NS, Metric.ONCPU_NS))
                .withProcessRows(List.of(new org.proctap.report.CpuProcessCounters(0, 7, "w", 3, figures())));
        String text = render(false, List.of(Metric.ONCPU_NS, Metric.WAIT_NS, Metric.VOL), o -> o.interval(partial));
        assertThat(text).contains("comm           \t  on-cpu ms    wait ms    vol THREADS\n")
                .contains("0\t7\t 86\t   9700 us\tw              \t   4210.523          -      -       3\n");
    }

    @Test
    void seedFormatHasExactlyTheSeedsFiveColumns() throws IOException {
        String text = render(true, o -> o.interval(TABLE));
        assertThat(text).isEqualTo(golden("table-seed.txt"));
        assertThat(text.lines().filter(l -> l.matches("\\d+\\t\\d+\\t.*")))
                .allSatisfy(l -> assertThat(l.split("\t")).hasSize(5));
    }

    @Test
    void liveLinesUseTheSeedsWords() {
        String text = render(false, o -> {
            o.start(new Output.StartInfo(0, "name", "stress", List.of(), List.of(), "tracefs", 5, false));
            o.report(new ExecReport(1, 0, 289122, 289122, 289122, "./stress", "execve", "stress"));
            o.report(new ForkReport(2, 0, 289122, 289122, "stress", 289123, 289123, "stress", "fork", "clone", false, 17));
            o.report(new ForkReport(3, 0, 289122, 289122, "stress", 289124, 289122, "stress", "clone", "clone3", true, 0));
            o.report(new ExitReport(4, 0, 289123, 289123, "stress", ExitStatus.exited(3)));
            o.report(new ExitReport(5, 0, 289122, 289122, "stress", ExitStatus.killed(15)));
            o.report(new ExitReport(6, 0, 289125, 289125, "stress", ExitStatus.UNKNOWN));
            o.bye();
        });
        assertThat(text).isEqualTo("""
                Watching process: stress
                PID 289122 executed execve syscall for pathname: ./stress
                PID 289122 executed fork (clone syscall): child PID 289123 is a process
                PID 289122 executed clone (clone3 syscall): child PID 289124 is a thread
                PID 289123 exited with code 3
                PID 289122 was killed by signal SIGTERM (15)
                PID 289125 exited (exit status unknown)
                Bye...
                """);
    }

    @Test
    void theFinalTableEndsWithOneLinePerProcessOfSharesOfItsTime() {
        long[] v = figures(); // on-CPU 4210.523 ms, wait 612.346, sleep 0.123, io 7.000
        IntervalReport fin = new IntervalReport(2, 0, 5_000_000_000L, TABLE.rows(), new long[] {0, 0},
                new long[] {0, 0}, new long[] {0, 0}, true, false, TABLE.measured(),
                List.of(new org.proctap.report.ProcessSummary(289122, "stress", v)));
        String text = render(false, o -> o.interval(fin));
        assertThat(text).endsWith(TextOutput.RULE + "\nPID 289122 stress: ran 87.2% · waited 12.7% · slept 0.0% · io 0.1%\n");
        assertThat(render(true, o -> o.interval(fin))).as("--seed-format: the original's output only")
                .doesNotContain("PID 289122 stress");
    }

    @Test
    void aProcessLineWithoutWaitSleepAndIoSaysTheyAreNotMeasured() {
        var p = new org.proctap.report.ProcessSummary(7, "w", figures());
        assertThat(TextOutput.summaryLine(p, java.util.EnumSet.complementOf(java.util.EnumSet.of(Metric.WAIT_NS))))
                .isEqualTo("PID 7 w: ran 4210.523 ms (wait, sleep and io not measured)");
    }
}
