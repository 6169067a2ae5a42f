package org.proctap.it;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which backend runs: {@code --backend bpf} that cannot load exits 1 with one line saying why;
 * {@code --backend auto} (the default) then says why in one line and traces with tracefs, for
 * real; on this machine the default is bpf. Three ways for bpf to be impossible: no libbpf, an
 * object the verifier refuses, and a process without the capabilities to load anything.
 */
class BackendSelectionIT extends ItSupport {
    static final Path BAD_VERIFIER = Workload.basedir()
            .resolve("src/test/resources/org/proctap/bpf/bad_verifier.bpf.o");
    static final Pattern FALLBACK = Pattern.compile("proctap: bpf unavailable \\((.+)\\); using tracefs");
    static final String CANNOT_RUN = "proctap: the bpf backend cannot run: ";
    /** Capabilities that allow bpf(2) or attaching tracing programs; root keeps its uid without them. */
    static final String BPF_CAPS = "-bpf,-sys_admin,-perfmon";

    /** What makes bpf impossible, and what the reason in proctap's one line must say. */
    enum Breakage {
        /** -Dproctap.libbpf at a path that does not exist: libbpf is "missing". */
        LIBBPF_MISSING("mentions libbpf", "libbpf"),
        /**
         * -Dproctap.bpf.object at a program the verifier refuses (a map value used without a NULL
         * check, see src/test/bpf/bad_verifier.bpf.c): the kernel answers EACCES (or EINVAL).
         */
        VERIFIER_REFUSES("names bpf_object__load and EACCES or EINVAL",
                "bpf_object__load: (EACCES|EINVAL) \\(\\d+\\)"),
        /**
         * proctap's own object, loaded by root without CAP_BPF, CAP_SYS_ADMIN and CAP_PERFMON
         * (setpriv drops them from the bounding and inheritable sets): the kernel refuses
         * bpf(2) itself, EPERM.
         */
        NO_BPF_CAPABILITY("names bpf_object__load and EPERM", "bpf_object__load: EPERM \\(\\d+\\)");

        final String expectation;
        final Pattern reason;

        Breakage(String expectation, String reason) {
            this.expectation = expectation;
            this.reason = Pattern.compile(reason);
        }

        Proctap start(String... args) {
            return switch (this) {
                case LIBBPF_MISSING -> Proctap.launch().jvmOption("-Dproctap.libbpf=/nonexistent/libbpf.so.1")
                        .start(args);
                case VERIFIER_REFUSES -> {
                    assertThat(BAD_VERIFIER).as("the test object the verifier refuses").isRegularFile();
                    yield Proctap.launch().jvmOption("-Dproctap.bpf.object=" + BAD_VERIFIER).start(args);
                }
                case NO_BPF_CAPABILITY -> Proctap.launch()
                        .under("setpriv", "--inh-caps=" + BPF_CAPS, "--bounding-set=" + BPF_CAPS, "--")
                        .start(args);
            };
        }
    }

    private static void assertNoStackTrace(Proctap p) {
        assertThat(p.stderr()).as("stderr (no stack trace)")
                .noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ") || l.startsWith("Caused by"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Breakage.class)
    @Timeout(60)
    void bpfThatCannotLoadExits1WithOneLine(Breakage breakage) {
        try (Proctap p = breakage.start("--json", "-i", "0", "--backend", "bpf", Workload.uniqueName())) {
            assertThat(p.waitFor(EXIT)).as("exit status of --backend bpf when %s", breakage).isEqualTo(1);
            assertNoStackTrace(p);
            List<String> err = p.stderr();
            System.out.println("[measured] backend-selection " + breakage + " bpf: " + err);
            assertThat(err).as("stderr: one line").hasSize(1);
            String line = err.getFirst();
            assertThat(line).as("the line").startsWith(CANNOT_RUN);
            assertThat(reasonMatches(breakage, line.substring(CANNOT_RUN.length())))
                    .as("the reason in '%s' %s", line, breakage.expectation).isTrue();
            assertThat(p.stdout()).as("stdout (nothing traced, no start line)").isEmpty();
            assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("tracefs instances left").isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Breakage.class)
    @Timeout(120)
    void autoFallsBackToTracefsAndWorks(Breakage breakage) {
        try (Workload w = Workload.create();
             Proctap p = breakage.start("--json", "-i", "0", "--backend", "auto", w.name())) {
            JsonNode start = p.awaitStart(STARTUP);
            assertThat(start.path("backend").asText()).as("start.backend after the fallback").isEqualTo("tracefs");

            Workload.Report r = w.start("--main-ms", "100", "--thread-ms", "100", "--child-ms", "100",
                    "--sleep-ms", "2").await(WORKLOAD);
            int mainPid = r.readyPid();
            JsonNode exec = p.awaitJson("the workload's exec",
                    n -> isType(n, "exec") && n.path("pid").asInt() == mainPid, WORKLOAD);
            assertThat(exec.path("filename").asText()).as("exec filename").isEqualTo(w.path().toString());
            p.awaitJson("the workload's exit", n -> isType(n, "exit") && n.path("tgid").asInt() == mainPid, WORKLOAD);
            assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("the running proctap's tracefs instances")
                    .contains("proctap-" + p.pid());
            p.signal(Proctap.SIGTERM);
            assertThat(p.waitFor(EXIT)).as("exit status after SIGTERM").isEqualTo(0);

            assertNoStackTrace(p);
            List<String> err = p.stderr();
            System.out.println("[measured] backend-selection " + breakage + " auto: " + err);
            assertThat(err).as("stderr: one line").hasSize(1);
            Matcher m = FALLBACK.matcher(err.getFirst());
            assertThat(m.matches()).as("'%s' matches '%s'", err.getFirst(), FALLBACK.pattern()).isTrue();
            assertThat(reasonMatches(breakage, m.group(1))).as("the reason in '%s' %s", err.getFirst(),
                    breakage.expectation).isTrue();
            List<JsonNode> all = p.json();
            assertJsonLinesWellFormed(all);
            assertThat(finalRows(all)).as("final rows for the main thread %d", mainPid)
                    .anyMatch(n -> n.path("pid").asInt() == mainPid);
            assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("tracefs instances left").isEmpty();
        }
    }

    @Test
    @Timeout(60)
    void theDefaultHereIsBpf() {
        try (Proctap p = Proctap.start("--json", "-i", "0", Workload.uniqueName())) {
            JsonNode start = p.awaitStart(STARTUP);
            assertThat(start.path("backend").asText()).as("start.backend without --backend").isEqualTo("bpf");
            assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("tracefs instances of the bpf backend").isEmpty();
            p.signal(Proctap.SIGTERM);
            assertThat(p.waitFor(EXIT)).as("exit status after SIGTERM").isEqualTo(0);
            assertThat(p.stderr()).as("stderr (bpf loads here: nothing to say)").isEmpty();
        }
    }

    private static boolean reasonMatches(Breakage breakage, String reason) {
        return breakage.reason.matcher(reason).find();
    }
}
