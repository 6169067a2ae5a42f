package org.proctap.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The /proc poller ({@code --backend proc}), run as user nobody as a user without root would, and
 * as root. Its figures are the kernel's own per-task totals, so they must equal the kernel's
 * schedstat and status exactly: the workloads are frozen (blocked on stdin, in pause(), or
 * stopped by SIGSTOP) both when proctap takes its first reading and when it takes its last, at
 * the stop, and the test reads the same files at those two frozen moments (before "go", and after
 * proctap exited), so any difference is proctap's, and no tolerance is allowed. The workloads:
 * ptsched (two spinners pinned to CPU 0, each waiting about as long as it runs, a sleeper, an I/O
 * thread, a mover and a UDP thread, still running when SIGSTOP freezes them) and ptcrowd (200
 * threads born after the start, counted from their birth, blocked for good when done).
 */
class ProcSourceIT extends ItSupport {
    private static final int NOBODY = 65534;
    private static final int CROWD = 200;

    @ParameterizedTest(name = "as {0}")
    @ValueSource(strings = {"nobody", "root"})
    @Timeout(240)
    void everyThreadEqualsItsSchedstatAndStatus(String user) throws Exception {
        boolean nobody = user.equals("nobody");
        Path sched = Workload.namedCopy(Workload.compile(WhereTimeWentIT.SOURCE, "ptsched"), "pts_");
        Path crowdBin = Workload.namedCopy(Workload.compile(CrowdIT.SOURCE, "ptcrowd"), "ptc_");
        Path dir = Files.createTempDirectory("proctap-it-io-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Process spin = start(nobody, sched.toString(), "--ms", "60000", "--dir", dir.toString());
        Process crowd = start(nobody, crowdBin.toString(), "--threads", "" + CROWD, "--cpu-ms", "15");
        try {
            BufferedReader spinOut = reader(spin);
            BufferedReader crowdOut = reader(crowd);
            List<Integer> spinTids = new ArrayList<>(List.of((int) spin.pid()));
            String line;
            while ((line = spinOut.readLine()) != null && !line.startsWith("ready")) {
                if (line.startsWith("thread role=")) {
                    spinTids.add(Integer.parseInt(line.substring(line.indexOf("tid=") + 4)));
                }
            }
            assertThat(line).as("ptsched's ready line").startsWith("ready pid=");
            assertThat(crowdOut.readLine()).as("ptcrowd's ready line").startsWith("ready pid=");
            awaitBlocked(spin.pid(), spinTids);
            awaitBlocked(crowd.pid(), List.of((int) crowd.pid()));
            String regex = "^(" + sched.getFileName() + "|" + crowdBin.getFileName() + ")$";
            String[] args = {"--backend", "proc", "--json", "-i", "1", "--regex", regex};
            try (Proctap p = nobody ? Proctap.startAsNobody(args) : Proctap.start(args)) {
                p.awaitStart(STARTUP);
                // frozen since before proctap's first reading: what it counts from
                Map<Integer, long[]> before = new HashMap<>();
                for (int tid : spinTids) {
                    before.put(tid, kernel(spin.pid(), tid));
                }
                before.put((int) crowd.pid(), kernel(crowd.pid(), crowd.pid()));
                go(spin);
                go(crowd);
                List<Integer> crowdTids = new ArrayList<>(List.of((int) crowd.pid()));
                while ((line = crowdOut.readLine()) != null && !line.startsWith("done")) {
                    if (line.startsWith("thread tid=")) {
                        crowdTids.add(Integer.parseInt(line.substring("thread tid=".length())));
                    }
                }
                assertThat(line).as("ptcrowd's last line").isEqualTo("done threads=" + CROWD);
                awaitBlocked(crowd.pid(), crowdTids);
                // the spinners are still spinning (60 s of work): freeze them where they are
                signal(spin.pid(), "STOP");
                awaitStopped(spin.pid(), spinTids);
                // Two table boundaries with everything frozen: while 200 threads burnt both CPUs the
                // poller had a 1/100 share of them and its polls (and tables) came late; now they come
                sleep(Duration.ofMillis(2500));
                p.signal(Proctap.SIGTERM);
                assertThat(p.waitFor(EXIT)).as("proctap's exit status after SIGTERM").isZero();
                Map<Integer, long[]> after = new HashMap<>();
                for (int tid : spinTids) {
                    after.put(tid, kernel(spin.pid(), tid));
                }
                for (int tid : crowdTids) {
                    after.put(tid, kernel(crowd.pid(), tid));
                }
                List<JsonNode> all = p.json();
                assertJsonLinesWellFormed(all);
                compare(user, all, before, after, spinTids, crowd.pid());
                assertThat(p.stderr()).as("stderr (--backend proc asked by name: no notice)").isEmpty();
            }
        } finally {
            spin.destroyForcibly();
            crowd.destroyForcibly();
            spin.waitFor();
            crowd.waitFor();
            Files.deleteIfExists(sched);
            Files.deleteIfExists(crowdBin);
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** {oncpu, wait, pcount, vol, nonvol} as the kernel shows them now. */
    private static long[] kernel(long pid, long tid) {
        KernelTruth.SchedStat s = KernelTruth.schedstat(pid, tid);
        KernelTruth.Switches w = KernelTruth.switches(pid, tid);
        return new long[] {s.oncpuNs(), s.waitNs(), s.pcount(), w.voluntary(), w.nonvoluntary()};
    }

    private static final String[] FIELDS = {"oncpu_ns", "wait_ns", "run", "vol", "preempt"};

    private static void compare(String user, List<JsonNode> all, Map<Integer, long[]> before,
                                Map<Integer, long[]> after, List<Integer> spinTids, long crowdPid) {
        Map<Integer, long[]> mine = new HashMap<>();
        int rows = 0;
        for (JsonNode r : ofType(all, "stats")) {
            long[] v = mine.computeIfAbsent(r.path("pid").asInt(), k -> new long[FIELDS.length]);
            for (int i = 0; i < FIELDS.length; i++) {
                v[i] += r.path(FIELDS[i]).asLong();
            }
            rows++;
        }
        SoftAssertions soft = new SoftAssertions();
        for (JsonNode r : ofType(all, "stats")) {
            soft.assertThat(r.get("cpu").isNull()).as("a whole task's row: cpu null, %s", r).isTrue();
            soft.assertThat(r.get("last_cpu").isInt()).as("last_cpu: where it ran last, %s", r).isTrue();
            soft.assertThat(r.get("hrtimer_ns").isNull()).as("not measured: null").isTrue();
            soft.assertThat(r.get("sleep_ns").isNull()).as("not measured: null").isTrue();
            soft.assertThat(r.get("migr").isNull()).as("not measured: null").isTrue();
        }
        long maxOff = 0;
        long waitTotal = 0;
        for (var e : after.entrySet()) {
            int tid = e.getKey();
            long[] b = before.getOrDefault(tid, new long[FIELDS.length]);
            long[] v = mine.getOrDefault(tid, new long[FIELDS.length]);
            for (int i = 0; i < FIELDS.length; i++) {
                long truth = e.getValue()[i] - b[i];
                maxOff = Math.max(maxOff, Math.abs(v[i] - truth));
                soft.assertThat(v[i]).as("thread %d: %s, proctap vs the kernel's (%s while frozen)", tid, FIELDS[i],
                        before.containsKey(tid) ? "the difference of its readings" : "its whole life").isEqualTo(truth);
            }
            if (spinTids.subList(1, 3).contains(tid)) {
                waitTotal += v[1];
                soft.assertThat(v[1]).as("spinner %d pinned with another: it waited", tid).isPositive();
            }
        }
        List<JsonNode> clones = ofType(all, "fork").stream()
                .filter(f -> f.path("tgid").asLong() == crowdPid && f.path("thread").asBoolean()).toList();
        soft.assertThat(clones).as("a clone line per crowd thread (each lives far longer than a poll)").hasSize(CROWD);
        JsonNode fin = finalInterval(all);
        double watchS = (fin.path("ts_ns").asLong() - single(all, "start", "the start line", n -> true).path("ts_ns")
                .asLong()) / 1e9;
        soft.assertThat(fin.path("polling").path("hz").asDouble()).as("polling.hz").isEqualTo(10.0);
        soft.assertThat(fin.path("polling").path("lines_approximate").asBoolean()).isTrue();
        soft.assertThat(fin.path("polling").path("unreadable").asInt()).as("processes not readable").isZero();
        soft.assertThat(ofType(all, "interval").size()).as("tables of 1 s in a %.1f s watch", watchS)
                .isGreaterThanOrEqualTo(3);
        long startNs = single(all, "start", "the start line", n -> true).path("ts_ns").asLong();
        System.out.printf("[measured] proc as %s: tables at %s s%n", user, ofType(all, "interval").stream()
                .map(n -> String.format("%.2f", (n.path("ts_ns").asLong() - startNs) / 1e9)).toList());
        System.out.printf("[measured] proc as %s: %.1f s, %d threads (%d of the crowd), %d stats rows in %d tables, max |proctap"
                        + " - kernel| %d over on-CPU, wait, run, vol, preempt; the pinned spinners waited %.1f ms%n", user,
                watchS, after.size(), CROWD, rows, ofType(all, "interval").size(), maxOff, waitTotal / 1e6);
        soft.assertAll();
    }

    @Test
    @Timeout(60)
    void autoWithoutRootPollsProcAndSaysWhyInOneLine() {
        try (Proctap p = Proctap.startAsNobody("--json", "-i", "0", "--", "sh", "-c", "sleep 0.6 & wait")) {
            assertThat(p.waitFor(EXIT)).as("exit status: the command's").isZero();
            assertThat(p.stderr()).as("stderr: one line").hasSize(1);
            assertThat(p.stderr().getFirst()).as("the line")
                    .startsWith("proctap: not root (no CAP_BPF/CAP_PERFMON, tracefs not writable): polling /proc 10 times")
                    .contains("--backend proc");
            List<JsonNode> all = p.json();
            assertJsonLinesWellFormed(all);
            assertThat(single(all, "start", "the start line", n -> true).path("backend").asText()).isEqualTo("proc");
            // sleep lives six polls: its fork, exec and exit are all seen
            JsonNode fork = single(all, "fork", "sh forks sleep", n -> !n.path("thread").asBoolean());
            JsonNode exec = single(all, "exec", "the child execs sleep",
                    n -> n.path("pid").asInt() == fork.path("child_pid").asInt());
            assertThat(exec.path("filename").asText()).endsWith("/sleep");
            assertThat(exec.path("cpu").isNull()).isTrue();
            assertThat(fork.path("clone_flags").isNull()).as("clone flags: not seen").isTrue();
            assertThat(ofType(all, "exit")).as("exits: sleep and sh")
                    .extracting(n -> n.path("pid").asInt())
                    .contains(fork.path("child_pid").asInt(), fork.path("pid").asInt());
            assertThat(ofType(all, "summary")).isNotEmpty();
        }
    }

    @Test
    @Timeout(60)
    void bpfOrTracefsByNameWithoutRootIsOneLineAndExit1() {
        for (String backend : List.of("bpf", "tracefs")) {
            try (Proctap p = Proctap.startAsNobody("--backend", backend, "-i", "0", "--", "true")) {
                assertThat(p.waitFor(EXIT)).as("exit status of --backend %s as nobody", backend).isEqualTo(1);
                assertThat(p.stderr()).as("stderr: one line").hasSize(1);
                assertThat(p.stderr().getFirst()).as("the line").isEqualTo("proctap: the " + backend
                        + " backend cannot run: not root (no CAP_BPF/CAP_PERFMON, tracefs not writable): run as root"
                        + " (sudo ./proctap ...), or use --backend proc, which needs no root");
                assertThat(p.stdout()).as("stdout").isEmpty();
            }
        }
    }

    private static Process start(boolean nobody, String... command) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (nobody) {
            cmd.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
        }
        cmd.addAll(List.of(command));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private static void go(Process p) throws IOException {
        OutputStream out = p.getOutputStream();
        out.write("go\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void signal(long pid, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", signal, pid).isZero();
    }

    /** Every thread is stopped (state T): its figures no longer move. */
    private static void awaitStopped(long pid, List<Integer> tids) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (int tid : tids) {
            Path stat = Path.of("/proc", Long.toString(pid), "task", Integer.toString(tid), "stat");
            while (true) {
                String s = Files.readString(stat);
                if (s.charAt(s.lastIndexOf(')') + 2) == 'T') {
                    break;
                }
                assertThat(System.nanoTime()).as("thread %d stops", tid).isLessThan(deadline);
                Thread.sleep(5);
            }
        }
        Thread.sleep(50);
    }
}
