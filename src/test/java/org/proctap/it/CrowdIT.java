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
                for (int tid : tids) {
                    truth.put(tid, KernelTruth.schedstat(pid, tid));
                }
                KernelTruth.SchedStat mainAfter = KernelTruth.schedstat(pid, pid);
                p.signal(Proctap.SIGINT);
                assertThat(p.waitFor(EXIT)).as("proctap's exit status after SIGINT").isZero();
                List<JsonNode> all = p.json();
                assertJsonLinesWellFormed(all);
                JsonNode fin = finalInterval(all);
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
