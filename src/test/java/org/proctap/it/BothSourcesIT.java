package org.proctap.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/**
 * The two event sources watch the same workload at the same time and must tell the same story:
 * the same on-CPU time and switch-ins per task, and the same exec, fork and exit events. Each
 * source is also checked against /proc schedstat, so that agreeing on a wrong figure fails too.
 *
 * Both proctaps run at once, so the comparison is of one run, not of two runs of a noisy
 * workload on a noisy machine. The workload runs as in {@link NameModeJsonIT}: through its
 * launcher, so that both watch the main thread from the launcher's exec of it.
 */
class BothSourcesIT extends ItSupport {
    static final List<String> SOURCES = List.of("tracefs", "bpf");
    static final int BURN_MS = 700;
    /** Each source's on-CPU total vs schedstat, and the two sources vs each other (brief: 2%). */
    static final double ONCPU_TOLERANCE = 0.02;
    /**
     * How far apart the two sources' switch-in counts may be. Both see every switch of a task
     * from the same exec or fork on, including the switch-ins of a dying task preempted after
     * sched_process_exit (exit_notify() wakes the parent, kernel/exit.c; 0-2 per exit here), which
     * the kernel's pcount counts too. They stop at slightly different moments (each snapshots when
     * it stops), so a task switched in between the two stops may be counted by one only.
     */
    static final long EXIT_TAIL_RUNS = 1;

    /** One task of the workload: what the kernel counted for it over the life both watch. */
    record Truth(String role, int tid, long schedstatNs, long pcount, long exitTail) {
    }

    @Test
    @Timeout(180)
    void tracefsAndBpfAgreeOnTheSameRun(@TempDir Path tmp) {
        try (Workload w = Workload.create();
             Proctap tracefs = Proctap.start(args("tracefs", w));
             Proctap bpf = Proctap.start(args("bpf", w))) {
            List<Proctap> both = List.of(tracefs, bpf);
            for (int i = 0; i < both.size(); i++) {
                JsonNode start = both.get(i).awaitStart(STARTUP);
                assertThat(start.path("backend").asText()).as("start.backend").isEqualTo(SOURCES.get(i));
            }

            Workload.Report r = w.startViaLauncher(tmp.resolve("workload.out"), "--main-ms", "" + BURN_MS,
                    "--thread-ms", "" + BURN_MS, "--child-ms", "" + BURN_MS, "--sleep-ms", "2",
                    "--sleep-every-ms", "35").await(WORKLOAD);
            assertThat(r.exitCode()).as("workload exit status").isEqualTo(7);
            int mainPid = r.readyPid();
            for (Proctap p : both) {
                p.awaitJson("the exit of the workload's main process " + mainPid,
                        n -> isType(n, "exit") && n.path("tgid").asInt() == mainPid, WORKLOAD);
            }
            for (Proctap p : both) {
                p.signal(Proctap.SIGTERM);
            }
            List<List<JsonNode>> outputs = new ArrayList<>();
            for (int i = 0; i < both.size(); i++) {
                assertThat(both.get(i).waitFor(EXIT)).as("%s proctap's exit status after SIGTERM", SOURCES.get(i))
                        .isEqualTo(0);
                List<JsonNode> all = both.get(i).json();
                assertJsonLinesWellFormed(all);
                outputs.add(all);
            }

            SoftAssertions soft = new SoftAssertions();
            assertCountsAgree(soft, outputs.get(0), outputs.get(1), r);
            assertLifecycleAgrees(soft, outputs.get(0), outputs.get(1));
            for (int i = 0; i < both.size(); i++) {
                JsonNode fin = finalInterval(outputs.get(i));
                System.out.printf("[measured] both-sources %s final interval: lost=%s repairs=%s%n", SOURCES.get(i),
                        fin.path("lost"), fin.path("repairs"));
                soft.assertThat(fin.path("lost_total").asLong()).as("events lost by the %s source", SOURCES.get(i))
                        .isZero();
                soft.assertThat(KernelTruth.proctapInstancesOf(both.get(i).pid()))
                        .as("tracefs instances left by the %s proctap", SOURCES.get(i)).isEmpty();
            }
            soft.assertAll();
        }
    }

    private static String[] args(String backend, Workload w) {
        return new String[] {"--json", "--cumulative", "-i", "0", "--backend", backend, w.name()};
    }

    private static void assertCountsAgree(SoftAssertions soft, List<JsonNode> tracefsOut, List<JsonNode> bpfOut,
                                          Workload.Report r) {
        int mainPid = r.readyPid();
        List<Truth> truths = List.of(
                new Truth("main", mainPid, r.mainSchedstatSinceLaunch(), r.mainPcountSinceLaunch(), EXIT_TAIL_RUNS),
                new Truth("thread", r.thread().tid(), r.thread().schedstatNs(), r.thread().pcount(), 0),
                new Truth("child", r.child().pid(), r.childTask().schedstatNs(), r.childTask().pcount(),
                        EXIT_TAIL_RUNS));
        List<JsonNode> tracefsRows = finalRows(tracefsOut);
        List<JsonNode> bpfRows = finalRows(bpfOut);
        for (Truth t : truths) {
            long tOncpu = sum(tracefsRows, "oncpu_ns", n -> n.path("pid").asInt() == t.tid());
            long bOncpu = sum(bpfRows, "oncpu_ns", n -> n.path("pid").asInt() == t.tid());
            long tRuns = sum(tracefsRows, "run", n -> n.path("pid").asInt() == t.tid());
            long bRuns = sum(bpfRows, "run", n -> n.path("pid").asInt() == t.tid());
            System.out.printf("[measured] both-sources %-6s oncpu tracefs=%d bpf=%d bpf-tracefs=%+d ns (%s of"
                            + " schedstat); vs schedstat=%d: tracefs %s bpf %s; run tracefs=%d bpf=%d bpf-tracefs=%+d"
                            + " (allowed %d..%d) pcount=%d%n",
                    t.role(), tOncpu, bOncpu, bOncpu - tOncpu, String.format("%+.3f%%",
                            100.0 * (bOncpu - tOncpu) / t.schedstatNs()), t.schedstatNs(),
                    percent(tOncpu, t.schedstatNs()),
                    percent(bOncpu, t.schedstatNs()), tRuns, bRuns, bRuns - tRuns, -t.exitTail(), t.exitTail(), t.pcount());
            double allowed = ONCPU_TOLERANCE * t.schedstatNs();
            soft.assertThat((double) bOncpu).as("bpf's on-CPU ns for the %s vs tracefs's", t.role())
                    .isCloseTo(tOncpu, offset(allowed));
            soft.assertThat((double) tOncpu).as("tracefs's on-CPU ns for the %s vs /proc schedstat", t.role())
                    .isCloseTo(t.schedstatNs(), offset(allowed));
            soft.assertThat((double) bOncpu).as("bpf's on-CPU ns for the %s vs /proc schedstat", t.role())
                    .isCloseTo(t.schedstatNs(), offset(allowed));
            soft.assertThat(bRuns).as("bpf's switch-ins for the %s vs tracefs's %d (see EXIT_TAIL_RUNS)", t.role(),
                    tRuns).isBetween(tRuns - t.exitTail(), tRuns + t.exitTail());
            soft.assertThat(tRuns).as("tracefs's switch-ins for the %s", t.role()).isPositive();
        }
    }

    /**
     * What both must report identically about one exec, fork or exit. The syscall is compared
     * apart (either source may not know it). Times are printed, not compared: each source stamps
     * an event at its own probe, microseconds apart. clone_flags come from task_newtask in both.
     */
    record LifecycleKey(String type, int pid, int tgid, String comm, Integer oldPid, String filename,
                        Integer childPid, Integer childTgid, String childComm, String kind, Boolean thread,
                        Long cloneFlags, Integer exitCode, Integer signal, String signalName) {
        static LifecycleKey of(JsonNode n) {
            return new LifecycleKey(n.path("type").asText(), n.path("pid").asInt(), n.path("tgid").asInt(),
                    textOrNull(n, "comm"), intOrNull(n, "old_pid"), textOrNull(n, "filename"),
                    intOrNull(n, "child_pid"), intOrNull(n, "child_tgid"), textOrNull(n, "child_comm"),
                    textOrNull(n, "kind"), n.has("thread") ? n.path("thread").asBoolean() : null,
                    n.hasNonNull("clone_flags") ? n.path("clone_flags").asLong() : null, intOrNull(n, "exit_code"),
                    intOrNull(n, "signal"), textOrNull(n, "signal_name"));
        }
    }

    private static List<JsonNode> lifecycle(List<JsonNode> all) {
        return all.stream().filter(n -> isType(n, "exec") || isType(n, "fork") || isType(n, "exit"))
                .sorted(Comparator.comparing((JsonNode n) -> LifecycleKey.of(n).toString())).toList();
    }

    private static void assertLifecycleAgrees(SoftAssertions soft, List<JsonNode> tracefsOut, List<JsonNode> bpfOut) {
        List<JsonNode> t = lifecycle(tracefsOut);
        List<JsonNode> b = lifecycle(bpfOut);
        List<LifecycleKey> tKeys = t.stream().map(LifecycleKey::of).toList();
        List<LifecycleKey> bKeys = b.stream().map(LifecycleKey::of).toList();
        System.out.printf("[measured] both-sources lifecycle events: tracefs=%d bpf=%d, %s%n", t.size(), b.size(),
                tKeys.equals(bKeys) ? "the same" : "DIFFERENT");
        soft.assertThat(bKeys).as("bpf's exec/fork/exit events vs tracefs's (sorted)").isEqualTo(tKeys);
        soft.assertThat(tKeys).as("exec/fork/exit events: 2 execs, 2 forks, 2 exits").hasSize(6);
        if (!tKeys.equals(bKeys)) {
            return;
        }
        for (int i = 0; i < t.size(); i++) {
            String ts = textOrNull(t.get(i), "syscall");
            String bs = textOrNull(b.get(i), "syscall");
            long dt = b.get(i).path("ts_ns").asLong() - t.get(i).path("ts_ns").asLong();
            System.out.printf("[measured] both-sources %s pid %d: syscall tracefs=%s bpf=%s; ts bpf-tracefs=%+d ns%n",
                    tKeys.get(i).type(), tKeys.get(i).pid(), ts, bs, dt);
            if (ts != null && bs != null) {
                soft.assertThat(bs).as("bpf's syscall vs tracefs's for %s", tKeys.get(i)).isEqualTo(ts);
            }
        }
    }
}
