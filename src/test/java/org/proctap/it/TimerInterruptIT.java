package org.proctap.it;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Timer interrupts: with the workload pinned to one CPU and busy there, nearly every local
 * timer interrupt on that CPU between its start and its end interrupts one of its tasks. The
 * kernel counts them all in the LOC row of /proc/interrupts; proctap counts those that hit a
 * watched task (timer_count).
 */
class TimerInterruptIT extends ItSupport {
    /** The CPU the workload is pinned to. */
    static final int CPU = 1;
    /**
     * LOC also counts interrupts taken while other tasks ran on the CPU (the test JVM, proctap,
     * kernel threads) or while it was idle (before the workload pinned itself, after it exited),
     * so proctap's count may be lower by this fraction of the LOC delta, or by the share of the
     * window the CPU did not run the workload when that is more (measured: /proc/stat and the
     * workload's schedstat), plus a few ticks.
     */
    static final double TOLERANCE = 0.05;
    static final long SLACK_TICKS = 5;

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(120)
    void countsTheTimerInterruptsOfThePinnedWorkload(String backend, @TempDir Path tmp) {
        assertThat(Runtime.getRuntime().availableProcessors()).as("CPUs (the test pins to CPU %d)", CPU)
                .isGreaterThan(CPU);
        try (Workload w = Workload.create();
             Proctap p = Proctap.start("--json", "--cumulative", "-i", "0", "--backend", backend, w.name())) {
            p.awaitStart(STARTUP);

            KernelTruth.CpuTime cpuBefore = KernelTruth.cpuTime(CPU);
            long[] before = KernelTruth.localTimerInterrupts();
            // Reports go to a file: no pipe write wakes the test JVM (possibly on that CPU).
            Workload.Report r = w.startViaLauncher(tmp.resolve("workload.out"), "--cpu", "" + CPU,
                    "--main-ms", "800", "--thread-ms", "800", "--child-ms", "800").await(WORKLOAD);
            long[] after = KernelTruth.localTimerInterrupts();
            KernelTruth.CpuTime cpuAfter = KernelTruth.cpuTime(CPU);
            assertThat(r.exitCode()).as("workload exit status").isEqualTo(7);
            for (Workload.TaskLine t : r.tasks().values()) {
                assertThat(t.cpu()).as("the CPU the %s reported from (pinned)", t.role()).isEqualTo(CPU);
            }

            int mainPid = r.readyPid();
            p.awaitJson("the exit of the workload's main process " + mainPid,
                    n -> isType(n, "exit") && n.path("tgid").asInt() == mainPid, WORKLOAD);
            p.signal(Proctap.SIGTERM);
            assertThat(p.waitFor(EXIT)).as("proctap's exit status after SIGTERM").isEqualTo(0);

            List<JsonNode> all = p.json();
            JsonNode fin = finalInterval(all);
            assertThat(fin.path("lost_total").asLong()).as("events lost: %s", fin).isZero();
            List<JsonNode> rows = finalRows(all);
            rows.forEach(row -> System.out.println("[it] final row: " + row));
            for (JsonNode row : rows) {
                assertThat(row.path("hrtimer_us").asLong()).as("hrtimer_us is hrtimer_ns in us: %s", row)
                        .isBetween(row.path("hrtimer_ns").asLong() / 1000 - 1, row.path("hrtimer_ns").asLong() / 1000 + 1);
                assertThat(row.path("timer_count").asLong()).as("timer_count >= 0: %s", row).isNotNegative();
            }
            for (Workload.TaskLine t : r.tasks().values()) {
                assertThat(rows).as("final rows for the %s %d: a task proctap missed makes the count meaningless",
                        t.role(), t.tid()).anyMatch(n -> n.path("pid").asInt() == t.tid());
            }
            Set<Integer> tgids = Set.of(mainPid, r.child().pid());
            long proctap = sum(rows, "timer_count",
                    n -> n.path("cpu").asInt() == CPU && tgids.contains(n.path("tgid").asInt()));
            long hrtimerNs = sum(rows, "hrtimer_ns",
                    n -> n.path("cpu").asInt() == CPU && tgids.contains(n.path("tgid").asInt()));
            long loc = after[CPU] - before[CPU];
            // How much of the window CPU 1 was not running the workload (idle, or other tasks):
            // time in which LOC counts interrupts that proctap rightly does not. On a machine
            // shared with other work this explains a failure; on CI it is a few ms.
            long windowMs = cpuAfter.totalMs() - cpuBefore.totalMs();
            long workloadMs = r.tasks().values().stream().mapToLong(t -> t.schedstatNs()).sum() / 1_000_000;
            long idleMs = cpuAfter.idleMs() - cpuBefore.idleMs();
            String notWorkload = String.format("CPU %d in the window: %d ms, %d ms idle, ~%d ms running other tasks",
                    CPU, windowMs, idleMs, Math.max(0, windowMs - idleMs - workloadMs));
            System.out.printf("[measured] backend=%s timer interrupts on CPU %d: proctap=%d LOC delta=%d diff=%+d (%s);"
                            + " hrtimer total %d ns (%.0f ns per interrupt); %s%n", backend, CPU, proctap, loc,
                    proctap - loc, percent(proctap, loc), hrtimerNs, proctap == 0 ? 0.0 : (double) hrtimerNs / proctap,
                    notWorkload);

            assertThat(loc).as("LOC delta on CPU %d while ~2.4 s of CPU burned there (HZ >= 100)", CPU)
                    .isGreaterThanOrEqualTo(200);
            assertThat(proctap).as("proctap's timer interrupts of the workload on CPU %d vs the LOC delta %d "
                    + "(cannot be more: the LOC window encloses the workload's life; %s)", CPU, loc, notWorkload)
                    .isLessThanOrEqualTo(loc)
                    .isGreaterThanOrEqualTo(Math.round(loc * (1 - Math.max(TOLERANCE,
                            (windowMs - workloadMs) / (double) Math.max(1, windowMs)))) - SLACK_TICKS);
            assertThat(hrtimerNs).as("time spent in timer interrupts of the workload on CPU %d", CPU).isPositive();
        }
    }
}
