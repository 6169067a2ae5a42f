package org.proctap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''| say what to watch",
        "--bogus x| Unknown option",
        "a -p 1| give only one of",
        "-i -1 a| --interval must be",
        "-i 0.001 a| --interval must be at least",
        "--exact --regex a| cannot be combined",
        "--regex (| bad --regex",
        "--backend foo a| --backend must be",
        "--exact -p 3| apply to NAME",
        "-p 0| not a process id",
        "--| no COMMAND after --",
        "--per-process --seed-format a| --per-process cannot be combined with --seed-format",
        "--hist wait,runs a| --hist: no histogram 'runs'",
        "--columns slice a| --columns: no column 'slice'",
        "a --cgroup /x| give only one of NAME, -p PID, -- COMMAND and --cgroup PATH",
        "--cgroup /x -f| --follow does not apply to --cgroup",
        "--cgroup a/../b| no '..' in the path",
        "report --cgroup /x f.dat| -p, --, --cgroup",
        "--quiet a| --quiet, --metrics-by and --max-series go with --listen",
        "--listen http a| --listen takes [ADDR:]PORT, not 'http'",
        "--listen 9 --metrics-by cpu a| --metrics-by must be comm, pid or tid",
        "--listen 9 --max-series 0 a| --max-series must be at least 1",
        "report --listen 9 f| --listen is for a watch",
        "record --listen 9 a| --listen is for a watch",
        "--html a| --html is for proctap report and proctap record",
        "record --html --json a| record --html writes the timeline on stdout",
        "record --perfetto a| --partial and --perfetto are for proctap report",
        "--nice 20 a| --nice must be from -20 to 19, not 20",
        "--nice -21 a| --nice must be from -20 to 19, not -21",
        "report --nice 0 f.dat| --nice is for a watch or a recording",
    })
    void usageErrorsExitTwoWithTheMessageAndUsage(String args, String message) {
        String[] argv = args.isEmpty() ? new String[0] : args.split(" ");
        assertThat(run(argv)).isEqualTo(2);
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("proctap: ").contains(message).endsWith("Try 'proctap --help' for the options.\n").hasLineCount(2);
        assertThat(text).doesNotContain("Exception");
    }

    @Test
    void aPortInUseIsOneLineAndExitOneBeforeAnythingIsTraced() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.proctap.sys.Libc.geteuid() == 0, "root: proctap checks it first");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(run("--listen", Integer.toString(taken.getLocalPort()), "a")).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("proctap: cannot listen on 127.0.0.1:"
                    + taken.getLocalPort() + ": Address already in use\n");
        }
    }

    @Test
    void helpAndVersionExitZero() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("-- COMMAND").contains("--seed-format")
                .contains("--per-process");
        assertThat(run("-V")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("proctap ");
    }

    @Test
    void aCgroupThatDoesNotExistIsOneLineAndExitOne() {
        assertThat(run("--cgroup", "/proctap-no-such-cgroup")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).startsWith("proctap: --cgroup: no cgroup "
                + "/proctap-no-such-cgroup (no ").doesNotContain("\n").doesNotContain("Usage");
    }

    /** A German LANG would write 12,5: the figures are the same whatever the locale. */
    @Test
    void figuresAreWrittenTheSameInEveryLocale() {
        String file = "src/test/resources/fixtures/linux-6.18/tracedat/runtime-v6.dat";
        java.util.Locale before = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            assertThat(run("report", "-i", "0", file)).isZero();
            String german = out.toString(StandardCharsets.UTF_8);
            out.reset();
            java.util.Locale.setDefault(java.util.Locale.US);
            assertThat(run("report", "-i", "0", file)).isZero();
            assertThat(german).as("the report under de_DE").isEqualTo(out.toString(StandardCharsets.UTF_8))
                    .containsPattern("ran \\d+\\.\\d%");
        } finally {
            java.util.Locale.setDefault(before);
        }
    }

    @Test
    void missingCommandIs127() {
        assertThat(run("--", "/nonexistent/program", "x")).isEqualTo(127);
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .isEqualTo("proctap: command not found: /nonexistent/program");
    }
}
