package org.proctap.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.proctap.sys.Libc;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGINT, SIGTERM and SIGHUP stop proctap cleanly in text mode: the final table, then "Bye...",
 * exit 0, and none of its tracefs instances left, whatever disposition proctap inherited. Each
 * run starts proctap with the signal ignored (env --ignore-signal), as a shell starts a
 * background job with SIGINT ignored and nohup with SIGHUP ignored.
 */
class StopSignalsIT extends ItSupport {
    static final int SIGHUP = 1;

    static Stream<Arguments> backendsAndSignals() {
        return Backends.all().flatMap(b -> Stream.of("SIGINT", "SIGTERM", "SIGHUP").map(s -> Arguments.of(b, s)));
    }

    static int number(String signal) {
        return switch (signal) {
            case "SIGINT" -> Proctap.SIGINT;
            case "SIGTERM" -> Proctap.SIGTERM;
            case "SIGHUP" -> SIGHUP;
            default -> throw new IllegalArgumentException(signal);
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndSignals")
    @Timeout(120)
    void stopsWithFinalTableAndBye(String backend, String signal) throws IOException {
        int signo = number(signal);
        try (Workload w = Workload.create()) {
            String[] args = {"-i", "0", "--backend", backend, w.name()};
            try (Proctap p = Proctap.launch().under("env", "--ignore-signal=" + signal.substring(3)).start(args)) {
                p.awaitLine("\"Watching process: " + w.name() + "\"", l -> l.equals("Watching process: " + w.name()),
                        STARTUP);
                Workload.Report r = w.start("--main-ms", "150", "--thread-ms", "150", "--child-ms", "150",
                        "--sleep-ms", "2").await(WORKLOAD);
                int mainPid = r.readyPid();
                p.awaitLine("the exit of the workload's main process",
                        l -> l.equals("PID " + mainPid + " exited with code 7"), WORKLOAD);

                Path exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "exe"));
                assertThat(exe.getFileName().toString()).as("the process signalled is proctap's JVM").isEqualTo("java");
                assertThat(KernelTruth.ignoresSignal(p.pid(), signo))
                        .as("proctap ignores %s, which it inherited as ignored", signal).isFalse();
                p.signal(signo);
                assertThat(p.waitFor(EXIT)).as("proctap's exit status after %s", signal).isEqualTo(0);

                List<String> lines = p.stdout();
                assertThat(lines.getFirst()).as("first line").isEqualTo("Watching process: " + w.name());
                assertThat(lines.getLast()).as("last line").isEqualTo("Bye...");
                int end = lines.lastIndexOf(RULE);
                assertThat(lines.subList(end + 1, lines.size() - 1)).as("after the final table, one line per process")
                        .isNotEmpty().allMatch(l -> l.matches("PID \\d+ \\S+: ran .*"))
                        .anyMatch(l -> l.startsWith("PID " + mainPid + " " + w.name() + ": ran "));
                int stats = lines.lastIndexOf("Scheduling stats:");
                assertThat(stats).as("a \"Scheduling stats:\" table").isPositive();
                assertThat(lines.get(stats - 1)).as("the rule above the table").isEqualTo(RULE);
                assertThat(lines.get(stats + 1)).as("the table header").startsWith("CPU\tPID\trun\thrtimer\t\tcomm");
                List<String> rows = lines.subList(stats + 2, end);
                // The main thread's row proves the table holds the workload. (That the thread and
                // the child are in it too is NameModeJsonIT's and CommandModeIT's business.)
                assertThat(rows).as("a row for the main thread %d", mainPid)
                        .anyMatch(row -> row.matches("\\d+\t" + mainPid + "\t.*"));
                for (String row : rows) {
                    String[] f = row.split("\t");
                    assertThat(f.length).as("tab-separated fields in row '%s' (the seed's five, then the columns)", row)
                            .isEqualTo(6);
                    assertThat(f[4].strip()).as("comm column of '%s'", row).isEqualTo(w.name());
                    int tid = Integer.parseInt(f[1]);
                    String[] columns = f[5].strip().split(" +");
                    int tgid = Integer.parseInt(columns[columns.length - 1]);
                    assertThat(tgid).as("TGID (last column) of '%s'", row)
                            .isEqualTo(tid == r.child().pid() ? r.child().pid() : mainPid);
                }
                assertThat(p.stderr()).as("stderr").noneMatch(l -> l.contains("Exception") || l.startsWith("\tat "));
                assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("tracefs instances left").isEmpty();
            }
        }
    }

    /**
     * The case from the field: a script starts proctap in the background ({@code &}), which a
     * non-interactive shell does with SIGINT ignored, and stops it with {@code kill -INT}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(120)
    void sigintStopsABackgroundJobOfAScript(String backend) throws Exception {
        Path dir = Files.createTempDirectory("proctap-it");
        Path out = dir.resolve("out");
        String name = Workload.uniqueName();
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", "-c",
                "\"$@\" > " + out + " 2>&1 & echo \"pid $!\"; wait $!; echo \"status $?\"", "bash"));
        cmd.addAll(Proctap.javaCommand(Proctap.jar(), List.of("-i", "0", "--backend", backend, name)));
        try (Proctap shell = Proctap.startCommand(cmd)) {
            long pid = Long.parseLong(shell.awaitLine("the background job's pid", l -> l.startsWith("pid "), STARTUP)
                    .substring(4));
            long deadline = System.nanoTime() + STARTUP.toNanos();
            while (!Files.exists(out) || !Files.readString(out).contains("Watching process: " + name)) {
                assertThat(System.nanoTime()).as("proctap's first line in %s", out).isLessThan(deadline);
                Thread.sleep(20);
            }
            assertThat(KernelTruth.ignoresSignal(pid, Proctap.SIGINT))
                    .as("proctap, a background job of a script, ignores SIGINT").isFalse();
            Libc.kill(pid, Proctap.SIGINT);
            String status = shell.awaitLine("the job's exit status", l -> l.startsWith("status "), EXIT);
            List<String> lines = Files.readAllLines(out);
            assertThat(status).as("exit status of the background proctap after SIGINT").isEqualTo("status 0");
            assertThat(lines.getLast()).as("last line").isEqualTo("Bye...");
            assertThat(lines).as("a final table").contains("Scheduling stats:");
            assertThat(KernelTruth.proctapInstancesOf(pid)).as("tracefs instances left").isEmpty();
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * A SIGTERM while the source is still starting is not lost. It used to be: the signal
     * stopped a source that had nothing running yet, start() then turned tracing on, and the
     * stop already done made every later stop a no-op, so proctap ran on for good. The tracefs
     * instance appears at the beginning of start() (which then configures events for tens of
     * milliseconds), so signalling as soon as it exists lands inside that window.
     */
    @Test
    @Timeout(120)
    void sigtermDuringStartStillStops() throws Exception {
        String name = "ptstart" + ProcessHandle.current().pid();
        try (Proctap p = Proctap.start("--backend", "tracefs", "-i", "0", name)) {
            signalOnceTheInstanceExists(p);
            assertThat(p.waitFor(EXIT)).as("proctap's exit status after SIGTERM during start").isEqualTo(0);
            List<String> lines = p.stdout();
            assertThat(lines).as("stdout").isNotEmpty();
            assertThat(lines.getFirst()).as("first line").isEqualTo("Watching process: " + name);
            assertThat(lines.getLast()).as("last line").isEqualTo("Bye...");
            assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("tracefs instances left").isEmpty();
        }
    }

    /** The same for {@code -- COMMAND}: stopped before the command was resumed, it never runs. */
    @Test
    @Timeout(120)
    void sigtermDuringStartNeverRunsTheCommand() throws Exception {
        Path marker = Files.createTempDirectory("proctap-it").resolve("ran");
        try (Proctap p = Proctap.start("--backend", "tracefs", "-i", "0", "--", "touch", marker.toString())) {
            signalOnceTheInstanceExists(p);
            assertThat(p.waitFor(EXIT)).as("proctap's exit status after SIGTERM during start").isEqualTo(0);
            List<String> lines = p.stdout();
            assertThat(lines).as("stdout").isNotEmpty();
            assertThat(lines.getFirst()).as("first line").startsWith("Watching command: touch ");
            assertThat(lines.getLast()).as("last line").isEqualTo("Bye...");
            long commandPid = Long.parseLong(lines.getFirst().replaceAll(".*\\(PID (\\d+)\\)$", "$1"));
            assertThat(ProcessHandle.of(commandPid).filter(ProcessHandle::isAlive))
                    .as("the command's process %d, stopped before it ran", commandPid).isEmpty();
            assertThat(marker).as("what the command would have created").doesNotExist();
            assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("tracefs instances left").isEmpty();
        } finally {
            Files.deleteIfExists(marker);
            Files.deleteIfExists(marker.getParent());
        }
    }

    private static void signalOnceTheInstanceExists(Proctap p) {
        Path instance = KernelTruth.ensureTracefs().resolve("instances").resolve("proctap-" + p.pid());
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!Files.exists(instance)) {
            assertThat(System.nanoTime()).as("proctap's instance %s appears", instance).isLessThan(deadline);
            Thread.onSpinWait();
        }
        p.signal(Proctap.SIGTERM);
    }
}
