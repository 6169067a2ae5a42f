package org.proctap.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.proctap.model.NameMatcher;
import org.proctap.model.TargetSpec;
import org.proctap.report.ExitReport;
import org.proctap.report.IntervalReport;
import org.proctap.report.Report;
import org.proctap.source.Backend;
import org.proctap.source.BackendUnavailableException;
import org.proctap.source.IntervalListener;
import org.proctap.source.SelectedSource;
import org.proctap.source.Sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Which backend runs: {@code --backend bpf} that cannot load exits 1 with one line saying why;
 * {@code --backend auto} (the default) then says why in one line and traces with tracefs, for
 * real; on this machine the default is bpf. Three ways for bpf to be impossible: no libbpf, an
 * object the verifier refuses, and a process without the capabilities to load anything. The same
 * choice made in this JVM through {@link Sources#open}, with no class of the CLI: a trace starts
 * from the source, stats and model packages alone, and the fallback is told as data.
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

    /** What a trace started in this JVM reported. */
    private static final class Collected implements IntervalListener {
        final Queue<Long> starts = new ConcurrentLinkedQueue<>();
        final Queue<Report> reports = new ConcurrentLinkedQueue<>();
        final Queue<IntervalReport> intervals = new ConcurrentLinkedQueue<>();
        final Queue<String> notices = new ConcurrentLinkedQueue<>();

        @Override
        public void onStart(long ts) {
            starts.add(ts);
        }

        @Override
        public void onReport(Report report) {
            reports.add(report);
        }

        @Override
        public void onInterval(IntervalReport interval) {
            intervals.add(interval);
        }

        @Override
        public void onNotice(String message) {
            notices.add(message);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    @Timeout(60)
    void aTraceStartsWithoutTheCli(Backend backend) throws Exception {
        List<String> fallbacks = new ArrayList<>();
        Collected got = new Collected();
        TargetSpec sleeps = TargetSpec.byName(new NameMatcher.Exact("sleep"), false);
        long pid;
        try (SelectedSource src = Sources.open(backend, sleeps, List.of(), fallbacks::add)) {
            // auto is bpf here (see theDefaultHereIsBpf)
            assertThat(src.backend()).as("backend chosen for %s", backend)
                    .isEqualTo(backend == Backend.TRACEFS ? Backend.TRACEFS : Backend.BPF);
            src.start(IntervalListener.aggregating(false, got), 0);
            Process sleep = new ProcessBuilder("sleep", "0.2").start();
            pid = sleep.pid();
            assertThat(sleep.waitFor(10, TimeUnit.SECONDS)).as("sleep 0.2 ended").isTrue();
            src.stop();
            src.awaitEnd();
            assertThat(src.failure()).as("failure").isNull();
            assertThat(src.name()).as("name").isEqualTo(src.backend().name().toLowerCase(Locale.ROOT));
            assertThat(src.fallbackReason()).as("fallback reason").isNull();
        }
        System.out.println("[measured] backend-selection in-process " + backend + ": " + got.intervals.size()
                + " interval(s), " + got.reports.size() + " report(s), notices " + got.notices);
        assertThat(fallbacks).as("fallbacks told").isEmpty();
        assertThat(got.starts).as("onStart").hasSize(1);
        assertThat(got.intervals).as("intervals with -i 0: the final one").hasSize(1);
        IntervalReport last = got.intervals.peek();
        assertThat(last.fin()).as("final").isTrue();
        assertThat(last.rows()).as("rows of sleep %d", pid).anyMatch(r -> r.tid() == pid);
        assertThat(got.reports).as("exit of sleep %d", pid)
                .anyMatch(r -> r instanceof ExitReport e && e.tgid() == pid);
        assertThat(KernelTruth.proctapInstancesOf(ProcessHandle.current().pid())).as("tracefs instances left")
                .isEmpty();
    }

    /** Load fails: auto is tracefs from open on, bpf throws; the reason is data either way. */
    @Test
    @Timeout(60)
    void aLoadFallbackIsToldAsData() throws Exception {
        TargetSpec target = TargetSpec.byName(new NameMatcher.Exact(Workload.uniqueName()), false);
        List<String> fallbacks = new ArrayList<>();
        withBpfObject(BAD_VERIFIER, () -> {
            try (SelectedSource src = Sources.open(Backend.AUTO, target, List.of(), fallbacks::add)) {
                assertThat(src.backend()).as("backend after the fallback").isEqualTo(Backend.TRACEFS);
                assertThat(src.fallbackReason()).as("fallback reason").isNotNull();
                assertThat(reasonMatches(Breakage.VERIFIER_REFUSES, src.fallbackReason()))
                        .as("the reason '%s' %s", src.fallbackReason(), Breakage.VERIFIER_REFUSES.expectation)
                        .isTrue();
                assertThat(fallbacks).as("fallbacks told").containsExactly(src.fallbackReason());
            }
            assertThatThrownBy(() -> Sources.open(Backend.BPF, target, List.of(), fallbacks::add))
                    .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
                        assertThat(reasonMatches(Breakage.VERIFIER_REFUSES, e.reason())).as("reason").isTrue();
                        assertThat("proctap: " + e.getMessage()).as("message").isEqualTo(CANNOT_RUN + e.reason());
                    });
            assertThat(fallbacks).as("fallbacks told, bpf included").hasSize(1);
        });
    }

    /**
     * An attach refused (here: an object that loads but is not proctap's, see
     * src/test/bpf/bad_attach.bpf.c): auto becomes tracefs within start, whose listener sees one
     * start only; bpf throws from start.
     */
    @Test
    @Timeout(60)
    void anAttachFallbackIsToldAsData() throws Exception {
        Path badAttach = BAD_VERIFIER.resolveSibling("bad_attach.bpf.o");
        TargetSpec target = TargetSpec.byName(new NameMatcher.Exact(Workload.uniqueName()), false);
        List<String> fallbacks = new ArrayList<>();
        Collected got = new Collected();
        withBpfObject(badAttach, () -> {
            try (SelectedSource src = Sources.open(Backend.AUTO, target, List.of(), fallbacks::add)) {
                assertThat(src.backend()).as("backend once loaded").isEqualTo(Backend.BPF);
                src.start(IntervalListener.aggregating(false, got), 0);
                assertThat(src.backend()).as("backend after the fallback").isEqualTo(Backend.TRACEFS);
                assertThat(src.fallbackReason()).as("fallback reason").contains("not proctap's");
                assertThat(fallbacks).as("fallbacks told").containsExactly(src.fallbackReason());
                assertThat(got.starts).as("onStart (tracefs only)").hasSize(1);
                src.stop();
                src.awaitEnd();
                assertThat(src.failure()).as("failure").isNull();
            }
            assertThat(got.intervals).as("the final interval").hasSize(1);
            try (SelectedSource src = Sources.open(Backend.BPF, target, List.of(), fallbacks::add)) {
                assertThatThrownBy(() -> src.start(IntervalListener.aggregating(false, new Collected()), 0))
                        .isInstanceOf(BackendUnavailableException.class)
                        .hasMessageStartingWith(CANNOT_RUN.substring("proctap: ".length()))
                        .hasMessageContaining("not proctap's");
            }
            assertThat(fallbacks).as("fallbacks told, bpf included").hasSize(1);
        });
        assertThat(KernelTruth.proctapInstancesOf(ProcessHandle.current().pid())).as("tracefs instances left")
                .isEmpty();
    }

    interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} with -Dproctap.bpf.object set to {@code object} in this JVM. */
    private static void withBpfObject(Path object, Body body) throws Exception {
        assertThat(object).as("the test object").isRegularFile();
        String before = System.getProperty("proctap.bpf.object");
        System.setProperty("proctap.bpf.object", object.toString());
        try {
            body.run();
        } finally {
            if (before == null) {
                System.clearProperty("proctap.bpf.object");
            } else {
                System.setProperty("proctap.bpf.object", before);
            }
        }
    }

    private static boolean reasonMatches(Breakage breakage, String reason) {
        return breakage.reason.matcher(reason).find();
    }
}
