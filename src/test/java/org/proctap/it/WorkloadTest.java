package org.proctap.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The workload on its own: it burns what it is asked to and reports what the kernel counted. */
class WorkloadTest {
    static final long MS = 1_000_000L;

    @Test
    void parsesAReport() {
        Workload.Report r = Workload.Report.parse(List.of(
                "ready pid=100",
                "task role=thread pid=100 tid=101 cpu=1 cputime_ns=300037601 schedstat_ns=300037602 pcount=110 "
                        + "start_schedstat_ns=34348 start_pcount=1 start_cputime_ns=6771",
                "task role=child pid=102 tid=102 cpu=0 cputime_ns=300137351 schedstat_ns=300137351 pcount=78 "
                        + "start_schedstat_ns=111953 start_pcount=1 start_cputime_ns=111953",
                "child pid=102 status=3",
                "task role=main pid=100 tid=100 cpu=1 cputime_ns=300939141 schedstat_ns=300939141 pcount=131 "
                        + "start_schedstat_ns=712649 start_pcount=1 start_cputime_ns=712154",
                "final pid=100 comm=ptw_abcdef schedstat_ns=301895318 pcount=133 cputime_ns=301890000"), 7);
        assertThat(r.readyPid()).isEqualTo(100);
        assertThat(r.thread()).isEqualTo(new Workload.TaskLine("thread", 100, 101, 1, 300037601, 300037602, 110,
                34348, 1, 6771));
        assertThat(r.childTask().pid()).isEqualTo(102);
        assertThat(r.child()).isEqualTo(new Workload.ChildLine(102, 3, null));
        assertThat(r.fin()).isEqualTo(new Workload.FinalLine(100, "ptw_abcdef", 301895318, 133, 301890000));
        assertThat(r.mainSchedstatSinceStart()).isEqualTo(301895318 - 712649);
        assertThat(r.mainPcountSinceStart()).isEqualTo(132);
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.launch()).isNull();
        Workload.Report launched = Workload.Report.parse(
                Stream.concat(Stream.of("launch pid=100 schedstat_ns=700000 pcount=2 cputime_ns=690000"),
                        r.lines().stream()).toList(), 7);
        assertThat(launched.launch()).isEqualTo(new Workload.LaunchLine(100, 700000, 2, 690000));
        assertThat(launched.mainSchedstatSinceLaunch()).isEqualTo(301895318 - 700000);
        assertThat(launched.mainCputimeSinceLaunch()).isEqualTo(301890000 - 690000);
        assertThat(launched.mainPcountSinceLaunch()).isEqualTo(131);
    }

    @Test
    void anIncompleteReportIsAnError() {
        assertThatThrownBy(() -> Workload.Report.parse(List.of("ready pid=1", "child pid=2 signal=9"), 1))
                .hasMessageContaining("task role=main").hasMessageContaining("final");
    }

    @Test
    void uniqueNamesFitInAComm() {
        for (int i = 0; i < 100; i++) {
            assertThat(Workload.uniqueName()).matches("ptw_[a-z]{6}").hasSizeLessThanOrEqualTo(15);
        }
    }

    @Test
    @Timeout(60)
    void burnsWhatItIsAskedAndReportsTheKernelsCounts() {
        try (Workload w = Workload.create()) {
            assertThat(w.name()).matches("ptw_[a-z]{6}");
            assertThat(w.path().getFileName().toString()).isEqualTo(w.name());
            Workload.Report r = w.start("--main-ms", "200", "--thread-ms", "200", "--child-ms", "200",
                    "--sleep-ms", "2", "--sleep-every-ms", "40", "--child-exit", "5", "--final-exit", "9")
                    .await(Duration.ofSeconds(30));
            System.out.println(String.join("\n", r.lines()));
            assertThat(r.exitCode()).as("exit status (--final-exit)").isEqualTo(9);
            int pid = r.readyPid();
            assertThat(r.main().pid()).isEqualTo(pid);
            assertThat(r.main().tid()).isEqualTo(pid);
            assertThat(r.thread().pid()).isEqualTo(pid);
            assertThat(r.thread().tid()).isNotEqualTo(pid);
            assertThat(r.childTask().pid()).isEqualTo(r.child().pid()).isEqualTo(r.childTask().tid())
                    .isNotEqualTo(pid);
            assertThat(r.child().status()).as("child exit (--child-exit)").isEqualTo(5);
            assertThat(r.child().signal()).isNull();
            assertThat(r.fin().pid()).as("the exec keeps the pid").isEqualTo(pid);
            assertThat(r.fin().comm()).as("the exec through argv[0] keeps the comm").isEqualTo(w.name());

            for (Workload.TaskLine t : r.tasks().values()) {
                long burned = t.cputimeNs() - t.startCputimeNs();
                assertThat(burned).as("%s: CPU burned", t.role()).isBetween(200 * MS - 2 * MS, 200 * MS + 5 * MS);
                assertThat(t.schedstatNs()).as("%s: schedstat >= cputime (made current by the clock read)", t.role())
                        .isGreaterThanOrEqualTo(t.cputimeNs()).isLessThan(t.cputimeNs() + MS);
                // 200 ms with a sleep every 40 ms: at least 5 sleeps, each ending in a switch-in.
                assertThat(t.pcount()).as("%s: times run", t.role()).isGreaterThan(t.startPcount() + 4);
                assertThat(t.startPcount()).as("%s: run at least once before it reported its start", t.role())
                        .isPositive();
                assertThat(t.startSchedstatNs()).as("%s: start <= end", t.role()).isLessThanOrEqualTo(t.schedstatNs());
            }
            assertThat(r.fin().schedstatNs()).as("final stage: main's total only grows").isGreaterThanOrEqualTo(
                    r.main().schedstatNs());
            assertThat(r.fin().pcount()).isGreaterThanOrEqualTo(r.main().pcount());
            assertThat(r.mainSchedstatSinceStart()).isBetween(200 * MS, 210 * MS);
        }
    }

    @Test
    @Timeout(60)
    void pinsEveryTaskToTheCpuItIsGiven() {
        int cpu = Runtime.getRuntime().availableProcessors() - 1;
        try (Workload w = Workload.create()) {
            Workload.Report r = w.start("--cpu", "" + cpu, "--main-ms", "50", "--thread-ms", "50", "--child-ms",
                    "50").await(Duration.ofSeconds(30));
            assertThat(r.exitCode()).isEqualTo(7);
            for (Workload.TaskLine t : r.tasks().values()) {
                assertThat(t.cpu()).as("%s ran on", t.role()).isEqualTo(cpu);
            }
        }
    }

    @Test
    @Timeout(60)
    void theLauncherExecsTheWorkloadAndReportsWhereItsWatchedLifeStarts(@TempDir Path tmp) {
        try (Workload w = Workload.create()) {
            assertThat(w.launcher().getFileName().toString()).matches("ptl_[a-z]{6}").doesNotContain(w.name());
            Workload.Run run = w.startViaLauncher(tmp.resolve("out"), "--main-ms", "20", "--thread-ms", "20",
                    "--child-ms", "20");
            Workload.Report r = run.await(Duration.ofSeconds(30));
            assertThat(run.stdout()).as("stdout (the report goes to the file)").isEmpty();
            assertThat(r.exitCode()).isEqualTo(7);
            assertThat(r.launch().pid()).as("the launcher is the workload's main thread").isEqualTo(r.readyPid());
            assertThat(r.fin().comm()).isEqualTo(w.name());
            assertThat(r.launch().schedstatNs()).isLessThanOrEqualTo(r.main().startSchedstatNs());
            assertThat(r.launch().pcount()).isLessThanOrEqualTo(r.main().startPcount());
            assertThat(r.mainSchedstatSinceLaunch()).isGreaterThan(20 * MS).isLessThan(30 * MS);
        }
    }

    @Test
    @Timeout(60)
    void writesToAFileWhenAsked(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        try (Workload w = Workload.create()) {
            Workload.Run run = w.start("--main-ms", "10", "--thread-ms", "10", "--child-ms", "10",
                    "--out", out.toString());
            assertThat(run.awaitExit(Duration.ofSeconds(30))).isEqualTo(7);
            assertThat(run.stdout()).as("stdout with --out").isEmpty();
            Workload.Report r = Workload.Report.parse(Files.readAllLines(out), 7);
            assertThat(r.fin().comm()).isEqualTo(w.name());
        }
    }
}
