package org.proctap.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every task of a crowd, not the median one: 200 threads of one process alternate ~0.1 ms CPU
 * bursts with sub-millisecond sleeps until each has used 40 ms of CPU, on every CPU, then block
 * for good (src/test/c/ptcrowd.c). Each thread's on-CPU total is then compared with its own
 * /proc schedstat, read while it is blocked and its figures no longer move: within 0.5% (both
 * sources sum the kernel's own charges, so any difference is a charge missed or counted twice),
 * and switch-ins within one of the kernel's count, for every single thread. Watched by name
 * (tracefs's comm filter) and by pid (its pid list, which drops the charges other CPUs make),
 * since the two keep different events.
 */
class CrowdIT extends ItSupport {
    static final int THREADS = 200;
    static final int CPU_MS = 40;
    static final Path SOURCE = Workload.basedir().resolve("src/test/c/ptcrowd.c");

    static final double TOLERANCE = 0.005;

    @ParameterizedTest(name = "{0} by {1}")
    @MethodSource("org.proctap.it.ItSupport#backendsAndTargets")
    @Timeout(180)
    void everyThreadMatchesItsSchedstat(String backend, String target) throws Exception {
        Path copy = Workload.namedCopy(Workload.compile(SOURCE, "ptcrowd"), "ptc_");
        String name = copy.getFileName().toString();
        Process crowd = new ProcessBuilder(copy.toString(), "--threads", "" + THREADS, "--cpu-ms", "" + CPU_MS)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(crowd.getInputStream(), StandardCharsets.UTF_8));
            String ready = lines.readLine();
            assertThat(ready).as("the crowd's first line").startsWith("ready pid=");
            long pid = crowd.pid();
            String[] args = target.equals("name")
                    ? new String[] {"--json", "-i", "0", "--backend", backend, name}
                    : new String[] {"--json", "-i", "0", "--backend", backend, "-p", Long.toString(pid)};
            try (Proctap p = Proctap.start(args)) {
                p.awaitStart(STARTUP);
                KernelTruth.SchedStat mainBefore = KernelTruth.schedstat(pid, pid); // blocked in read()
                OutputStream go = crowd.getOutputStream();
                go.write("go\n".getBytes(StandardCharsets.UTF_8));
                go.flush();
                List<Integer> tids = new ArrayList<>();
                String line;
                while ((line = lines.readLine()) != null && !line.startsWith("done")) {
                    if (line.startsWith("thread tid=")) {
                        tids.add(Integer.parseInt(line.substring("thread tid=".length())));
                    }
                }
                assertThat(line).as("the crowd's last line").isEqualTo("done threads=" + THREADS);
                assertThat(tids).as("threads that started").hasSize(THREADS);
                awaitBlocked(pid, tids);
                Map<Integer, KernelTruth.SchedStat> truth = new HashMap<>();
                Map<Integer, long[]> switches = new HashMap<>(); // tid -> {vol, nonvol, migrations}
                for (int tid : tids) {
                    truth.put(tid, KernelTruth.schedstat(pid, tid));
                    KernelTruth.Switches sw = KernelTruth.switches(pid, tid);
                    switches.put(tid, new long[] {sw.voluntary(), sw.nonvoluntary(), KernelTruth.migrations(pid, tid)});
                }
                KernelTruth.SchedStat mainAfter = KernelTruth.schedstat(pid, pid);
                p.signal(Proctap.SIGINT);
                assertThat(p.waitFor(EXIT)).as("proctap's exit status after SIGINT").isZero();
                List<JsonNode> all = p.json();
                assertJsonLinesWellFormed(all);
                JsonNode fin = finalInterval(all);
                compareSwitches(backend, target, finalRows(all), truth, switches);
                compare(backend, target, finalRows(all), fin, truth, (int) pid,
                        new KernelTruth.SchedStat(mainAfter.oncpuNs() - mainBefore.oncpuNs(),
                                mainAfter.waitNs() - mainBefore.waitNs(), mainAfter.pcount() - mainBefore.pcount()));
            }
        } finally {
            crowd.destroyForcibly();
            crowd.waitFor();
            Files.deleteIfExists(copy);
        }
    }

    /**
     * Every crowd thread was born after proctap started, so its whole life was watched: its wait
     * against run_delay (1% on bpf, 2% on tracefs, whose waits are wake-up events anchored to
     * run_delay readings; or 20 us), its switch-outs against the voluntary and nonvoluntary
     * context switches and its migrations against se.nr_migrations (within 1), wherever the
     * source measures them.
     */
    /** How far a thread's wait may be from its run_delay, as a share of it. */
    static double waitShare(String backend) {
        return backend.equals("bpf") ? 0.01 : 0.02;
    }

    private static void compareSwitches(String backend, String target, List<JsonNode> rows,
                                        Map<Integer, KernelTruth.SchedStat> truth, Map<Integer, long[]> switches) {
        boolean waits = rows.stream().anyMatch(r -> !r.path("wait_ns").isNull());
        Map<Integer, long[]> mine = new HashMap<>();
        for (JsonNode r : rows) {
            long[] v = mine.computeIfAbsent(r.path("pid").asInt(), k -> new long[4]);
            v[0] += r.path("wait_ns").asLong();
            v[1] += r.path("vol").asLong();
            v[2] += r.path("preempt").asLong();
            v[3] += r.path("migr").asLong();
        }
        SoftAssertions soft = new SoftAssertions();
        double worstWait = 0;
        long worstCount = 0;
        for (var e : truth.entrySet()) {
            int tid = e.getKey();
            long[] v = mine.getOrDefault(tid, new long[4]);
            long[] k = switches.get(tid);
            long runDelay = e.getValue().waitNs();
            if (waits) {
                worstWait = Math.max(worstWait, Math.abs(v[0] - runDelay) / (double) Math.max(1, runDelay));
                soft.assertThat((double) v[0]).as("thread %d: wait vs run_delay", tid).isCloseTo(runDelay,
                        org.assertj.core.api.Assertions.within(Math.max(waitShare(backend) * runDelay, 20_000.0)));
            }
            worstCount = Math.max(worstCount, Math.max(Math.abs(v[1] - k[0]), Math.max(Math.abs(v[2] - k[1]),
                    Math.abs(v[3] - k[2]))));
            soft.assertThat(v[1]).as("thread %d: vol vs voluntary_ctxt_switches", tid).isBetween(k[0] - 1, k[0] + 1);
            soft.assertThat(v[2]).as("thread %d: preempt vs nonvoluntary_ctxt_switches", tid)
                    .isBetween(k[1] - 1, k[1] + 1);
            soft.assertThat(v[3]).as("thread %d: migr vs se.nr_migrations", tid).isBetween(k[2] - 1, k[2] + 1);
        }
        System.out.printf("[measured] crowd %s by %s: %d threads born watched; worst |wait - run_delay| %s; "
                        + "worst |vol, preempt or migr - the kernel's| %d%n", backend, target, truth.size(),
                waits ? String.format("%.3f%%", 100 * worstWait) : "(wait not measured)", worstCount);
        soft.assertAll();
    }

    private static void compare(String backend, String target, List<JsonNode> rows, JsonNode fin,
                                Map<Integer, KernelTruth.SchedStat> truth, int mainPid, KernelTruth.SchedStat mainTruth) {
        Map<Integer, long[]> mine = new HashMap<>();
        for (JsonNode r : rows) {
            long[] v = mine.computeIfAbsent(r.path("pid").asInt(), k -> new long[2]);
            v[0] += r.path("oncpu_ns").asLong();
            v[1] += r.path("run").asLong();
        }
        double tol = TOLERANCE;
        SoftAssertions soft = new SoftAssertions();
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        long maxRunDiff = 0;
        int off = 0;
        for (var e : truth.entrySet()) {
            int tid = e.getKey();
            KernelTruth.SchedStat t = e.getValue();
            long[] v = mine.getOrDefault(tid, new long[2]);
            double err = (double) (v[0] - t.oncpuNs()) / t.oncpuNs();
            min = Math.min(min, err);
            max = Math.max(max, err);
            maxRunDiff = Math.max(maxRunDiff, Math.abs(v[1] - t.pcount()));
            boolean bad = Math.abs(err) > tol || Math.abs(v[1] - t.pcount()) > 1;
            if (bad && off++ < 20) {
                System.out.printf("[measured] crowd %s by %s: thread %d proctap %d ns vs schedstat %d ns (%+.3f%%), "
                        + "run %d vs pcount %d%n", backend, target, tid, v[0], t.oncpuNs(), 100 * err, v[1], t.pcount());
            }
            soft.assertThat(Math.abs(err)).as("thread %d: proctap %d ns vs schedstat %d ns", tid, v[0], t.oncpuNs())
                    .isLessThanOrEqualTo(tol);
            soft.assertThat(v[1]).as("thread %d: switch-ins vs schedstat pcount", tid)
                    .isBetween(t.pcount() - 1, t.pcount() + 1);
        }
        long[] m = mine.getOrDefault(mainPid, new long[2]);
        System.out.printf("[measured] crowd %s by %s: %d threads, %d outside %.1f%%; on-CPU vs schedstat min %+.3f%% "
                        + "max %+.3f%%; max |run - pcount| %d; main thread %d vs %d ns; repairs %s repaired_ns %s "
                        + "lost %s%n", backend, target, truth.size(), off, 100 * tol, 100 * min, 100 * max, maxRunDiff,
                m[0], mainTruth.oncpuNs(), fin.path("repairs"), fin.path("repaired_ns"), fin.path("lost"));
        soft.assertThat(Math.abs(m[0] - mainTruth.oncpuNs()))
                .as("the main thread's on-CPU while watched: proctap %d vs schedstat %d", m[0], mainTruth.oncpuNs())
                .isLessThanOrEqualTo((long) Math.max(tol * mainTruth.oncpuNs(), 200_000));
        soft.assertThat(fin.path("lost_total").asLong()).as("events lost").isZero();
        soft.assertAll();
    }
}
