package org.proctap.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/**
 * Name mode with JSON Lines and running totals: proctap must report the workload's exec, its
 * clone of a thread, its fork of a child, both processes' exits, and count on-CPU time and
 * switch-ins the way the kernel's own /proc schedstat does.
 *
 * The workload is started through its launcher (a name that does not match), which reports its
 * totals right before it execs the workload: proctap watches the main thread from that exec, so
 * the main thread's truth is "final stage minus launch" with nothing unmeasured in between. The
 * workload writes its report to a file, so that no write wakes a reader that would preempt a
 * task after it measured itself.
 */
class NameModeJsonIT extends ItSupport {
    static final int BURN_MS = 700;
    /** proctap's on-CPU total may differ from /proc schedstat by this fraction (brief: 2%). */
    static final double ONCPU_TOLERANCE = 0.02;
    /**
     * Switch-ins are compared with pcount as a bracket of the values that can be right, not with
     * a symmetric slack. Every switch-in up to a task's last reading must be counted: the thread
     * and the child are watched from their fork, the main thread at the latest from main() of
     * the exec'd workload. Above that, a task can still be switched in after its last reading
     * (its exit path wakes its parent or joiner, which may preempt it, and it is switched in
     * again to finish dying): at most this many times. For the main thread the bracket starts at
     * its count since main() and ends at its count since the launcher's reading: a preemption
     * inside the exec syscall, before the exec event, is before proctap can watch it.
     */
    static final long EXIT_TAIL_RUNS = 2;

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(120)
    void reportsLifecycleAndCountsLikeTheKernel(String backend, @TempDir Path tmp) {
        try (Workload w = Workload.create();
             Proctap p = Proctap.start("--json", "--cumulative", "-i", "1", "--backend", backend, w.name())) {
            JsonNode start = p.awaitStart(STARTUP);
            assertThat(start.path("target").path("mode").asText()).as("start.target.mode").isEqualTo("name");
            assertThat(start.path("target").path("name").asText()).as("start.target.name").isEqualTo(w.name());
            assertThat(start.path("backend").asText()).as("start.backend").isEqualTo(backend);
            assertThat(start.path("interval_s").asDouble()).as("start.interval_s").isEqualTo(1.0);
            assertThat(start.path("cumulative").asBoolean()).as("start.cumulative").isTrue();

            Workload.Report r = w.startViaLauncher(tmp.resolve("workload.out"), "--main-ms", "" + BURN_MS,
                    "--thread-ms", "" + BURN_MS, "--child-ms", "" + BURN_MS, "--sleep-ms", "2",
                    "--sleep-every-ms", "35").await(WORKLOAD);
            assertThat(r.exitCode()).as("workload exit status").isEqualTo(7);
            int mainPid = r.readyPid();
            int threadTid = r.thread().tid();
            int childPid = r.child().pid();

            p.awaitJson("the exit of the workload's main process " + mainPid,
                    n -> isType(n, "exit") && n.path("tgid").asInt() == mainPid, WORKLOAD);
            p.signal(Proctap.SIGTERM);
            assertThat(p.waitFor(EXIT)).as("proctap's exit status after SIGTERM").isEqualTo(0);

            List<JsonNode> all = p.json();
            assertJsonLinesWellFormed(all);
            // Every check runs and every measurement is printed, whatever fails first.
            SoftAssertions soft = new SoftAssertions();
            assertCountsMatchTheKernel(soft, all, backend, w, r);
            assertLifecycle(soft, all, w, mainPid, threadTid, childPid);
            assertIntervals(soft, all);
            soft.assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("tracefs instances left by proctap")
                    .isEmpty();
            soft.assertAll();
        }
    }

    private static void assertLifecycle(SoftAssertions soft, List<JsonNode> all, Workload w, int mainPid,
                                        int threadTid, int childPid) {
        // Two execs of the workload's path: by the launcher, and by the workload of itself. The
        // launcher's own start (exec of ptl_...) is not of a watched process.
        List<JsonNode> execs = ofType(all, "exec");
        soft.assertThat(execs).as("exec lines: the launcher's exec of the workload and the workload's of itself")
                .hasSize(2);
        for (JsonNode e : execs) {
            soft.assertThat(e.path("pid").asInt()).as("exec pid in %s", e).isEqualTo(mainPid);
            soft.assertThat(e.path("filename").asText()).as("exec filename in %s", e).isEqualTo(w.path().toString());
            soft.assertThat(e.path("comm").asText()).as("exec comm in %s", e).isEqualTo(w.name());
            soft.assertThat(e.path("tgid").asInt()).as("exec tgid in %s", e).isEqualTo(mainPid);
            soft.assertThat(e.path("old_pid").asInt()).as("exec old_pid in %s", e).isEqualTo(mainPid);
            soft.assertThat(textOrNull(e, "syscall")).as("exec syscall in %s", e).isIn("execve", null);
            soft.assertThat(e.path("cpu").isIntegralNumber()).as("exec cpu in %s", e).isTrue();
        }

        JsonNode thread = single(soft, all, "fork", "the thread " + threadTid,
                n -> n.path("child_pid").asInt() == threadTid);
        if (thread != null) {
            soft.assertThat(thread.path("pid").asInt()).as("thread fork pid").isEqualTo(mainPid);
            soft.assertThat(thread.path("tgid").asInt()).as("thread fork tgid").isEqualTo(mainPid);
            soft.assertThat(thread.path("child_tgid").asInt()).as("thread fork child_tgid").isEqualTo(mainPid);
            soft.assertThat(thread.path("thread").asBoolean()).as("thread fork: thread").isTrue();
            soft.assertThat(thread.path("kind").asText()).as("thread fork: kind").isEqualTo("clone");
            soft.assertThat(textOrNull(thread, "syscall")).as("thread fork: syscall").isIn("clone3", "clone", null);
            soft.assertThat(thread.path("clone_flags").asLong() & CLONE_THREAD)
                    .as("thread fork: CLONE_THREAD in clone_flags").isNotZero();
            soft.assertThat(thread.path("comm").asText()).as("thread fork: comm").isEqualTo(w.name());
            soft.assertThat(thread.path("child_comm").asText()).as("thread fork: child_comm").isEqualTo(w.name());
        }

        JsonNode child = single(soft, all, "fork", "the child " + childPid,
                n -> n.path("child_pid").asInt() == childPid);
        if (child != null) {
            soft.assertThat(child.path("pid").asInt()).as("child fork pid").isEqualTo(mainPid);
            soft.assertThat(child.path("tgid").asInt()).as("child fork tgid").isEqualTo(mainPid);
            soft.assertThat(child.path("child_tgid").asInt()).as("child fork child_tgid").isEqualTo(childPid);
            soft.assertThat(child.path("thread").asBoolean()).as("child fork: thread").isFalse();
            soft.assertThat(child.path("kind").asText()).as("child fork: kind").isEqualTo("fork");
            soft.assertThat(textOrNull(child, "syscall")).as("child fork: syscall")
                    .isIn("clone", "clone3", "fork", null);
            soft.assertThat(child.path("clone_flags").asLong() & CLONE_THREAD)
                    .as("child fork: CLONE_THREAD in clone_flags").isZero();
            soft.assertThat(child.path("child_comm").asText()).as("child fork: child_comm").isEqualTo(w.name());
        }

        JsonNode childExit = single(soft, all, "exit", "the child " + childPid,
                n -> n.path("tgid").asInt() == childPid);
        if (childExit != null) {
            soft.assertThat(childExit.path("pid").asInt()).as("child exit pid").isEqualTo(childPid);
            soft.assertThat(intOrNull(childExit, "exit_code")).as("child exit_code").isEqualTo(3);
            soft.assertThat(intOrNull(childExit, "signal")).as("child exit signal").isNull();
            soft.assertThat(textOrNull(childExit, "signal_name")).as("child exit signal_name").isNull();
            soft.assertThat(childExit.path("comm").asText()).as("child exit comm").isEqualTo(w.name());
        }

        // One exit per process, from its last task: the main thread (the thread was joined, and
        // exec would have killed it anyway).
        JsonNode mainExit = single(soft, all, "exit", "the main process " + mainPid,
                n -> n.path("tgid").asInt() == mainPid);
        if (mainExit != null) {
            soft.assertThat(mainExit.path("pid").asInt()).as("main exit pid").isEqualTo(mainPid);
            soft.assertThat(intOrNull(mainExit, "exit_code")).as("main exit_code").isEqualTo(7);
            soft.assertThat(intOrNull(mainExit, "signal")).as("main exit signal").isNull();
            soft.assertThat(mainExit.path("comm").asText()).as("main exit comm").isEqualTo(w.name());
        }
    }

    private static void assertIntervals(SoftAssertions soft, List<JsonNode> all) {
        List<JsonNode> intervals = ofType(all, "interval");
        soft.assertThat(intervals.size())
                .as("tables: the workload runs for over a second with -i 1, plus the final one")
                .isGreaterThanOrEqualTo(2);
        int last = 0;
        for (JsonNode i : intervals) {
            soft.assertThat(i.path("interval").asInt()).as("interval numbers increase: %s", i).isGreaterThan(last);
            last = i.path("interval").asInt();
            soft.assertThat(i.path("cumulative").asBoolean()).as("cumulative in %s", i).isTrue();
            soft.assertThat(i.path("lost").isObject()).as("lost is an object in %s", i).isTrue();
        }
        if (!intervals.isEmpty()) {
            soft.assertThat(intervals.getLast().path("final").asBoolean()).as("the last table is the final one")
                    .isTrue();
        }
        JsonNode fin = finalInterval(all);
        soft.assertThat(fin.path("lost_total").asLong())
                .as("events lost (the comparisons with the kernel would be meaningless): %s", fin).isZero();
    }

    private static void assertCountsMatchTheKernel(SoftAssertions soft, List<JsonNode> all, String backend,
                                                   Workload w, Workload.Report r) {
        List<JsonNode> rows = finalRows(all);
        int mainPid = r.readyPid();
        record Truth(String role, int tid, int tgid, long schedstatNs, long cputimeNs, long pcount,
                     long pcountLow) {
        }
        // main: proctap watches it from the launcher's exec of the workload, so count from the
        // launch line to the end of the final stage (the task and its clocks survive its execs),
        // schedstat and CLOCK_THREAD_CPUTIME_ID alike; the thread and the child are watched from birth.
        List<Truth> truths = List.of(
                new Truth("main", mainPid, mainPid, r.mainSchedstatSinceLaunch(), r.mainCputimeSinceLaunch(),
                        r.mainPcountSinceLaunch(), r.mainPcountSinceStart()),
                new Truth("thread", r.thread().tid(), mainPid, r.thread().schedstatNs(), r.thread().cputimeNs(),
                        r.thread().pcount(), r.thread().pcount()),
                new Truth("child", r.child().pid(), r.child().pid(), r.childTask().schedstatNs(),
                        r.childTask().cputimeNs(), r.childTask().pcount(), r.childTask().pcount()));

        List<String> report = new ArrayList<>();
        for (Truth t : truths) {
            List<JsonNode> mine = rows.stream().filter(n -> n.path("pid").asInt() == t.tid()).toList();
            soft.assertThat(mine).as("final rows for the %s (tid %d)", t.role(), t.tid()).isNotEmpty();
            for (JsonNode row : mine) {
                soft.assertThat(row.path("tgid").asInt()).as("tgid in %s", row).isEqualTo(t.tgid());
                soft.assertThat(row.path("comm").asText()).as("comm in %s", row).isEqualTo(w.name());
            }
            long oncpu = sum(mine, "oncpu_ns", n -> true);
            long runs = sum(mine, "run", n -> true);
            report.add(String.format("[measured] backend=%s %-6s oncpu proctap=%d schedstat=%d diff=%+d ns (%s);"
                            + " vs cputime=%d diff=%+d ns (%s); run proctap=%d pcount=%d diff=%+d (allowed %d..%d);"
                            + " rows(cpus)=%d",
                    backend, t.role(), oncpu, t.schedstatNs(), oncpu - t.schedstatNs(),
                    percent(oncpu, t.schedstatNs()), t.cputimeNs(), oncpu - t.cputimeNs(),
                    percent(oncpu, t.cputimeNs()), runs, t.pcount(), runs - t.pcount(), t.pcountLow(),
                    t.pcount() + EXIT_TAIL_RUNS, mine.size()));
            soft.assertThat(t.schedstatNs()).as("the workload's own schedstat for the %s", t.role())
                    .isGreaterThanOrEqualTo(BURN_MS * 1_000_000L);
            soft.assertThat((double) oncpu).as("proctap's on-CPU ns for the %s vs /proc schedstat", t.role())
                    .isCloseTo(t.schedstatNs(), offset(ONCPU_TOLERANCE * t.schedstatNs()));
            soft.assertThat((double) oncpu).as("proctap's on-CPU ns for the %s vs CLOCK_THREAD_CPUTIME_ID", t.role())
                    .isCloseTo(t.cputimeNs(), offset(ONCPU_TOLERANCE * t.cputimeNs()));
            soft.assertThat(runs).as("proctap's switch-ins for the %s vs schedstat pcount %d (see EXIT_TAIL_RUNS)",
                    t.role(), t.pcount()).isBetween(t.pcountLow(), t.pcount() + EXIT_TAIL_RUNS);
        }
        // For diagnosis: the main thread over its whole life (from the JVM's fork, which proctap
        // should not see) and from main() of the workload (later than proctap sees it).
        long mainOncpu = sum(rows, "oncpu_ns", n -> n.path("pid").asInt() == mainPid);
        long mainRuns = sum(rows, "run", n -> n.path("pid").asInt() == mainPid);
        report.add(String.format("[measured] backend=%s main over its whole life: schedstat=%d (proctap %+d ns)"
                        + " pcount=%d (proctap %+d); from main(): schedstat=%d (proctap %+d ns) pcount=%d (proctap %+d)",
                backend, r.fin().schedstatNs(), mainOncpu - r.fin().schedstatNs(), r.fin().pcount(),
                mainRuns - r.fin().pcount(), r.mainSchedstatSinceStart(), mainOncpu - r.mainSchedstatSinceStart(),
                r.mainPcountSinceStart(), mainRuns - r.mainPcountSinceStart()));
        report.forEach(System.out::println);
    }
}
