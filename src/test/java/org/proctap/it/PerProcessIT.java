package org.proctap.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --per-process} on CrowdIT's crowd (src/test/c/ptcrowd.c: 200 threads bursting and
 * sleeping on every CPU, then blocked for good): the process's rows, one per CPU, summed over the
 * CPUs, hold the sum over its threads of their own /proc schedstat on-CPU time, within the bound
 * CrowdIT allows each thread (0.5%; the main thread, watched from before its "go", 0.5% or
 * 200 µs of its delta), and switch-ins within one per thread of their pcounts. Every table has
 * one row per CPU and process, with pid = tgid and a thread count that covers every thread.
 * Tables every half second, cumulative: the final one holds the totals, and its thread counts every
 * thread that ever ran on each CPU.
 */
class PerProcessIT extends ItSupport {
    static final int THREADS = 200;
    static final int CPU_MS = 40;

    @ParameterizedTest(name = "{0} by {1}")
    @MethodSource("org.proctap.it.ItSupport#backendsAndTargets")
    @Timeout(180)
    void aProcessRowPerCpuSumsItsThreadsSchedstat(String backend, String target) throws Exception {
        Path copy = Workload.namedCopy(Workload.compile(CrowdIT.SOURCE, "ptcrowd"), "ptp_");
        String name = copy.getFileName().toString();
        Process crowd = new ProcessBuilder(copy.toString(), "--threads", "" + THREADS, "--cpu-ms", "" + CPU_MS)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(crowd.getInputStream(), StandardCharsets.UTF_8));
            assertThat(lines.readLine()).as("the crowd's first line").startsWith("ready pid=");
            long pid = crowd.pid();
            String[] args = target.equals("name")
                    ? new String[] {"--json", "--per-process", "--cumulative", "-i", "0.5", "--backend", backend, name}
                    : new String[] {"--json", "--per-process", "--cumulative", "-i", "0.5", "--backend", backend, "-p",
                        Long.toString(pid)};
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
                long workersNs = 0;
                long workersRuns = 0;
                for (int tid : tids) {
                    KernelTruth.SchedStat t = KernelTruth.schedstat(pid, tid);
                    workersNs += t.oncpuNs();
                    workersRuns += t.pcount();
                }
                KernelTruth.SchedStat mainAfter = KernelTruth.schedstat(pid, pid);
                long mainNs = mainAfter.oncpuNs() - mainBefore.oncpuNs();
                long mainRuns = mainAfter.pcount() - mainBefore.pcount();
                // a table before the final one: with the crowd blocked it comes within the interval
                p.awaitJson("a table before the final one", n -> isType(n, "interval"), WORKLOAD);
                p.signal(Proctap.SIGINT);
                assertThat(p.waitFor(EXIT)).as("proctap's exit status after SIGINT").isZero();
                List<JsonNode> all = p.json();
                assertJsonLinesWellFormed(all);
                JsonNode fin = finalInterval(all);
                SoftAssertions soft = new SoftAssertions();
                assertOneRowPerCpuAndProcess(soft, all);
                soft.assertThat(ofType(all, "interval")).as("tables").hasSizeGreaterThanOrEqualTo(2)
                        .allSatisfy(i -> assertThat(i.path("per_process").asBoolean()).as("per_process").isTrue());
                List<JsonNode> mine = finalRows(all).stream().filter(r -> r.path("pid").asLong() == pid).toList();
                long ns = sum(mine, "oncpu_ns", r -> true);
                long runs = sum(mine, "run", r -> true);
                long threads = sum(mine, "threads", r -> true);
                long truthNs = workersNs + mainNs;
                long allowed = Math.round(CrowdIT.TOLERANCE * workersNs)
                        + (long) Math.max(CrowdIT.TOLERANCE * mainNs, 200_000);
                System.out.printf("[measured] per-process %s by %s: %d tables, final %d rows, on-CPU %d ns vs schedstat %d ns (%s, "
                                + "allowed ±%d ns); run %d vs pcount %d; threads summed over CPUs %d; lost %s%n",
                        backend, target, ofType(all, "interval").size(), mine.size(), ns, truthNs, percent(ns, truthNs), allowed, runs,
                        workersRuns + mainRuns, threads, fin.path("lost"));
                soft.assertThat(mine).as("rows of the crowd: one per CPU at most").isNotEmpty()
                        .hasSizeLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
                soft.assertThat(Math.abs(ns - truthNs))
                        .as("the crowd's on-CPU over its rows: proctap %d vs its threads' schedstat %d", ns, truthNs)
                        .isLessThanOrEqualTo(allowed);
                soft.assertThat(runs).as("the crowd's switch-ins vs its threads' pcounts")
                        .isBetween(workersRuns + mainRuns - (THREADS + 1), workersRuns + mainRuns + THREADS + 1);
                // every thread ran on some CPU, and a CPU's row counts each thread once
                soft.assertThat(threads).as("threads summed over the CPUs' rows")
                        .isBetween((long) THREADS + 1, (long) (THREADS + 1) * mine.size());
                for (JsonNode r : mine) {
                    soft.assertThat(r.path("threads").asInt()).as("threads of %s", r).isBetween(1, THREADS + 1);
                    soft.assertThat(r.path("comm").asText()).as("the process's name").isEqualTo(name.substring(0,
                            Math.min(15, name.length())));
                }
                soft.assertThat(fin.path("lost_total").asLong()).as("events lost").isZero();
                soft.assertAll();
            }
        } finally {
            crowd.destroyForcibly();
            crowd.waitFor();
            Files.deleteIfExists(copy);
        }
    }

    /** In every table, (cpu, pid) is unique, pid is the process and no row names a task. */
    private static void assertOneRowPerCpuAndProcess(SoftAssertions soft, List<JsonNode> all) {
        Set<String> seen = new HashSet<>();
        for (JsonNode r : ofType(all, "stats")) {
            String key = r.path("interval").asInt() + "/" + r.path("cpu").asInt() + "/" + r.path("pid").asInt();
            soft.assertThat(seen.add(key)).as("one row for interval/cpu/pid %s", key).isTrue();
            soft.assertThat(r.path("pid").asInt()).as("pid = tgid in %s", r).isEqualTo(r.path("tgid").asInt());
            soft.assertThat(r.has("threads")).as("threads in %s", r).isTrue();
            soft.assertThat(r.has("tid")).as("no tid in %s", r).isFalse();
        }
        soft.assertThat(seen).as("rows").isNotEmpty();
    }
}
