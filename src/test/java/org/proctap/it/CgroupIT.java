package org.proctap.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --cgroup}: a cgroup the test makes (TestCgroup: proctap-test-RANDOM under the v2 root,
 * with a child cgroup), a task in it, one in the child that forks and execs /bin/true every
 * 300 ms, one outside, and one moved in and later out again, each src/test/c/ptduty.c (bursts
 * of at most BUSY_MS, then a sleep). Checked: the tasks inside, the child's included, have
 * rows with their cgroup path, the child's fork and exec are printed, the outside one never
 * appears, and the moved one's on-CPU time is its own schedstat's growth between the two moves.
 * The same holds for a report of the watch recorded with {@code proctap record --cgroup}.
 *
 * <p>The bound for the moved task: its truth is known only to lie between its schedstat's growth
 * from just after the move in to just before the move out and from just before the move in to
 * just after the move out, and a write to cgroup.procs takes milliseconds (cgroup_attach_lock()
 * waits for an RCU grace period, kernel/cgroup/cgroup.c; the mover ran 5-9 ms during one write),
 * so the bound is that interval, printed with each run. A move reaches the program (bpf) or the
 * accounting (tracefs) at the move, but a slice already running on another CPU is counted as it
 * began, so each move can put at most one of the mover's slices on the wrong side: BUSY_MS each,
 * 2 * BUSY_MS in all, and 1 ms for the schedstat reads (a running task's schedstat lags its
 * slice so far). tracefs learns of the move-in from its life-cycle reader, which adds the task
 * to set_event_pid as soon as it reads the event (LifeFastPath; its first switch was recorded
 * 1.5 ms after the move here); what the task ran in between falls in the slice already counted
 * for that move. No event may be lost: the figures would then be short for that reason alone.
 */
class CgroupIT extends ItSupport {
    static final Path SOURCE = Workload.basedir().resolve("src/test/c/ptduty.c");
    static final int BUSY_MS = 2;
    static final int SLEEP_MS = 2;

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(120)
    void watchesTheCgroupItsChildAndAMoveInAndOut(String backend) throws Exception {
        scenario(backend, null);
    }

    /** The same watch recorded (tracefs), then reported: the report must say what the watch did. */
    @org.junit.jupiter.api.Test
    @Timeout(120)
    void aRecordingKeepsTheCgroupAndItsMoves(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        scenario("tracefs", dir.resolve("cgroup.dat"));
    }

    /** @param recording where to record and then report from, or null to watch live */
    private void scenario(String backend, Path recording) throws Exception {
        String bin = Workload.compile(SOURCE, "ptduty").toString();
        String[] duty = {bin, "--busy-ms", "" + BUSY_MS, "--sleep-ms", "" + SLEEP_MS};
        try (TestCgroup cg = TestCgroup.create()) {
            Process inParent = cg.startIn(cg.dir(), duty);
            Process inChild = cg.startIn(cg.child(), bin, "--busy-ms", "1", "--sleep-ms", "5", "--exec-every", "300");
            Process outside = cg.start(duty);
            Process mover = cg.start(duty);
            for (Process p : List.of(inParent, inChild, outside, mover)) {
                String ready = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                assertThat(ready).as("a workload's first line").isEqualTo("ready pid=" + p.pid());
            }
            long moverPid = mover.pid();
            KernelTruth.SchedStat[] in;
            KernelTruth.SchedStat[] out;
            List<JsonNode> json;
            String[] args = recording == null
                    ? new String[] {"--json", "-i", "0.5", "--backend", backend, "--cgroup", cg.path()}
                    : new String[] {"record", "-o", recording.toString(), "--cgroup", cg.path()};
            try (Proctap p = Proctap.start(args)) {
                if (recording == null) {
                    p.awaitStart(STARTUP);
                } else {
                    awaitStderr(p, "recording to " + recording);
                }
                sleep(Duration.ofMillis(700));
                in = move(moverPid, cg.dir());
                sleep(Duration.ofMillis(1500));
                out = move(moverPid, cg.root());
                sleep(Duration.ofMillis(1200)); // the mover runs outside for two tables and more
                p.signal(Proctap.SIGINT);
                assertThat(p.waitFor(EXIT)).as("proctap's exit status\n%s", p.dump()).isZero();
                json = recording == null ? p.json() : List.of();
            }
            if (recording != null) {
                try (Proctap rep = Proctap.start("report", "--json", "-i", "0.5", recording.toString())) {
                    assertThat(rep.waitFor(EXIT)).as("proctap report's exit status\n%s", rep.dump()).isZero();
                    json = rep.json();
                }
                JsonNode start = single(json, "start", "the start line", n -> true);
                assertThat(start.path("target").path("mode").asText()).as("the report's target").isEqualTo("cgroup");
                assertThat(start.path("target").path("cgroup").asText()).as("the report's cgroup").isEqualTo(cg.path());
            }
            check(json, cg, inParent.pid(), inChild.pid(), outside.pid(), moverPid,
                    out[0].oncpuNs() - in[1].oncpuNs(), out[1].oncpuNs() - in[0].oncpuNs(),
                    recording == null ? backend : "record-report");
        }
    }

    private static void awaitStderr(Proctap p, String text) throws InterruptedException {
        long end = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < end) {
            if (p.stderr().stream().anyMatch(l -> l.contains(text))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no \"" + text + "\" on stderr\n" + p.dump());
    }

    /** Moves the task; its schedstat just before and just after the write. */
    private static KernelTruth.SchedStat[] move(long pid, Path to) throws Exception {
        KernelTruth.SchedStat before = KernelTruth.schedstat(pid, pid);
        TestCgroup.move(pid, to);
        return new KernelTruth.SchedStat[] {before, KernelTruth.schedstat(pid, pid)};
    }

    private static void check(List<JsonNode> all, TestCgroup cg, long inParent, long inChild, long outside, long mover,
                              long moverAtLeastNs, long moverAtMostNs, String backend) {
        assertJsonLinesWellFormed(all);
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(ofType(all, "interval").stream().mapToLong(n -> n.path("lost_total").asLong()).sum())
                .as("events lost").isZero();
        List<JsonNode> rows = ofType(all, "stats");
        soft.assertThat(rows).as("rows of the outside task %d", outside).noneMatch(r -> r.path("tgid").asLong() == outside);
        soft.assertThat(ofType(all, "fork")).as("forks of the outside task").noneMatch(r -> r.path("tgid").asLong() == outside);
        soft.assertThat(rows).as("rows of the task in %s", cg.path())
                .anyMatch(r -> r.path("tgid").asLong() == inParent && r.path("cgroup").asText().equals(cg.path()));
        soft.assertThat(rows).as("rows of the task in %s/child", cg.path())
                .anyMatch(r -> r.path("tgid").asLong() == inChild
                        && r.path("cgroup").asText().equals(cg.path() + "/child"));
        soft.assertThat(ofType(all, "fork")).as("forks of the task in the child cgroup")
                .anyMatch(f -> f.path("pid").asLong() == inChild);
        soft.assertThat(ofType(all, "exec")).as("execs of /bin/true in the child cgroup")
                .anyMatch(x -> x.path("filename").asText().equals("/bin/true"));
        soft.assertThat(rows.stream().map(r -> r.path("cgroup").asText()).distinct().toList())
                .as("the rows' cgroups").containsOnly(cg.path(), cg.path() + "/child");
        long moverNs = sum(rows, "oncpu_ns", r -> r.path("tgid").asLong() == mover);
        long allowed = (2L * BUSY_MS + 1) * 1_000_000L;
        System.out.printf("[it] %s: mover on-CPU %d ns, schedstat over its time inside %d..%d ns (the moves' writes"
                        + " took %.1f ms of its CPU), %+.1f ms from the nearer end, allowed +-%d ns beyond%n",
                backend, moverNs, moverAtLeastNs, moverAtMostNs, (moverAtMostNs - moverAtLeastNs) / 1e6,
                (moverNs < moverAtLeastNs ? moverNs - moverAtLeastNs : moverNs > moverAtMostNs
                        ? moverNs - moverAtMostNs : 0) / 1e6, allowed);
        soft.assertThat(moverAtLeastNs).as("the mover's schedstat growth inside").isGreaterThan(300_000_000L);
        soft.assertThat(moverNs).as("the mover's on-CPU while inside (schedstat %d..%d)", moverAtLeastNs, moverAtMostNs)
                .isBetween(moverAtLeastNs - allowed, moverAtMostNs + allowed);
        soft.assertAll();
    }
}
