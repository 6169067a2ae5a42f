package org.proctap.it;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a user can get wrong: a bad option (2), a missing command (127), not root (1), a NAME that
 * matches nothing, a Java heap too small for the watch (1).
 */
class ErrorsIT extends ItSupport {

    private static void assertNoStackTrace(Proctap p) {
        assertThat(p.stderr()).as("stderr (no stack trace)")
                .noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ") || l.startsWith("Caused by"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(60)
    void unknownOptionIsOneLineAndAHintAndExit2(String backend) {
        try (Proctap p = Proctap.start("--backend", backend, "--no-such-option", "x")) {
            assertThat(p.waitFor(EXIT)).as("exit status").isEqualTo(2);
            List<String> err = p.stderr();
            assertThat(err).as("stderr").isNotEmpty();
            assertThat(err).as("stderr: what is wrong, then where the options are").hasSize(2);
            assertThat(err.get(0)).contains("--no-such-option");
            assertThat(err.get(1)).isEqualTo("Try 'proctap --help' for the options.");
            assertThat(p.stdout()).as("stdout").isEmpty();
            assertNoStackTrace(p);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(60)
    void missingCommandGivesOneLineAndExit127(String backend) {
        try (Proctap p = Proctap.start("--backend", backend, "--", "/nonexistent/cmd", "arg")) {
            assertThat(p.waitFor(EXIT)).as("exit status").isEqualTo(127);
            assertThat(p.stderr()).as("stderr: one line").hasSize(1);
            assertThat(p.stderr().getFirst()).as("the line").contains("/nonexistent/cmd");
            assertNoStackTrace(p);
            assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("tracefs instances left").isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(60)
    void notRootGivesOneLineAndExit1(String backend) {
        try (Proctap p = Proctap.startAsNobody("--backend", backend, "-i", "0", Workload.uniqueName())) {
            assertThat(p.waitFor(EXIT)).as("exit status as user nobody").isEqualTo(1);
            assertThat(p.stderr()).as("stderr: one line").hasSize(1);
            assertThat(p.stderr().getFirst()).as("the line").containsIgnoringCase("root");
            assertNoStackTrace(p);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(60)
    void aNameThatMatchesNothingKeepsWaiting(String backend) {
        String nothing = Workload.uniqueName();
        try (Proctap p = Proctap.start("-i", "0", "--backend", backend, nothing)) {
            p.awaitLine("\"Watching process: " + nothing + "\"", l -> l.equals("Watching process: " + nothing),
                    STARTUP);
            sleep(Duration.ofSeconds(2));
            assertThat(p.isAlive()).as("proctap still running 2 s after it started watching").isTrue();
            assertThat(p.stdout()).as("stdout before the stop (no table with -i 0)")
                    .containsExactly("Watching process: " + nothing);
            p.signal(Proctap.SIGTERM);
            assertThat(p.waitFor(EXIT)).as("exit status after SIGTERM").isEqualTo(0);
            assertThat(p.stdout().getLast()).as("last line").isEqualTo("Bye...");
            assertNoStackTrace(p);
            assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("tracefs instances left").isEmpty();
        }
    }
    /**
     * 6 000 threads watched with a 12 MB heap: the heap runs out (at the start's task walk on bpf,
     * in the tables on tracefs), and that is one line saying how to give it more, exit 1, and
     * nothing left in the kernel, not a stack trace.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(120)
    void aHeapTooSmallForTheWatchIsOneLineAndExit1(String backend) throws Exception {
        java.nio.file.Path copy = Workload.namedCopy(Workload.compile(
                Workload.basedir().resolve("bench/proc-cost.d/threads.c"), "ptthreads"), "pto_");
        Process threads = new ProcessBuilder(copy.toString(), "6000", "idle")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String ready = new java.io.BufferedReader(new java.io.InputStreamReader(threads.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8)).readLine();
            assertThat(ready).as("the threads' ready line").startsWith("ready pid=");
            try (Proctap p = Proctap.startWithJvmOptions(List.of("-Xmx12m"), "--backend", backend, "--json", "-i", "1",
                    copy.getFileName().toString())) {
                assertThat(p.waitFor(Duration.ofSeconds(60))).as("exit status").isEqualTo(1);
                assertThat(p.stderr()).as("stderr: one line").hasSize(1);
                assertThat(p.stderr().getFirst()).as("the line").startsWith("proctap: out of memory: the Java heap (")
                        .contains("PROCTAP_JVM_OPTS=-Xmx");
                assertNoStackTrace(p);
                assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("tracefs instances left").isEmpty();
                assertThat(KernelTruth.bpfProgramsNamed("pt_")).as("BPF programs left").isEmpty();
            }
        } finally {
            threads.destroyForcibly();
            threads.waitFor();
            java.nio.file.Files.deleteIfExists(copy);
        }
    }
}
