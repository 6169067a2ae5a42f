package org.proctap.source.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Metric;
import org.proctap.model.NameMatcher;
import org.proctap.model.Proc;
import org.proctap.model.TargetSpec;
import org.proctap.model.TaskRegistry;
import org.proctap.report.CpuTaskCounters;
import org.proctap.report.ExecReport;
import org.proctap.report.ExitReport;
import org.proctap.report.ForkReport;
import org.proctap.report.Report;

/** The scan diffing of the /proc poller, on hand-written /proc text (FakeProc). */
class ProcTrackerTest {
    private static final long SELF = 999_999;
    private final List<Report> reports = new ArrayList<>();
    private final FakeProc proc = new FakeProc();
    private long ts;

    /** A tracker watching {@code spec}, with {@code tgids} registered as InitialScan would (all their threads). */
    private ProcTracker tracker(TargetSpec spec, int... tgids) {
        TaskRegistry registry = new TaskRegistry(spec);
        for (int tgid : tgids) {
            var stat = proc.processes(null).get(tgid);
            Proc p = registry.addProcess(tgid, stat.comm(), spec.mode() != TargetSpec.Mode.NAME);
            for (int tid : proc.threads(tgid)) {
                registry.addTask(p, tid, proc.task(tgid, tid).stat().comm());
            }
        }
        return new ProcTracker(registry, SELF, reports::add);
    }

    private static TargetSpec byName(String name) {
        return TargetSpec.byName(NameMatcher.of(name, false, false), false);
    }

    private void poll(ProcTracker t) {
        t.poll(proc, ts += 100_000_000);
    }

    private static CpuTaskCounters row(List<CpuTaskCounters> rows, int tid) {
        return rows.stream().filter(r -> r.tid() == tid).reduce((a, b) -> b).orElseThrow(
                () -> new AssertionError("no row for " + tid + " in " + rows));
    }

    @Test
    void aThreadThereAtTheStartCountsFromItsFirstReadingExactly() {
        proc.thread(100, 100, "work", 'S', 1, 50, 0x5000, 1_000_000, 200_000, 10, 8, 2);
        ProcTracker t = tracker(byName("work"), 100);
        poll(t);
        proc.thread(100, 100, "work", 'R', 1, 50, 0x5000, 4_500_123, 260_007, 17, 13, 4);
        poll(t);
        CpuTaskCounters r = row(t.rows(), 100);
        assertThat(r.cpu()).isEqualTo(CpuTaskCounters.NO_CPU);
        assertThat(r.get(Metric.ONCPU_NS)).isEqualTo(3_500_123);
        assertThat(r.get(Metric.WAIT_NS)).isEqualTo(60_007);
        assertThat(r.get(Metric.RUNS)).isEqualTo(7);
        assertThat(r.get(Metric.VOL)).isEqualTo(5);
        assertThat(r.get(Metric.PREEMPT)).isEqualTo(2);
        assertThat(r.lastCpu()).isEqualTo(1);
        assertThat(reports).isEmpty();
    }

    @Test
    void aChildOfAWatchedProcessIsAForkAndItsWholeLifeCounts() {
        proc.thread(100, 100, "work", 'S', 1, 50, 0x5000, 1_000_000, 0, 1, 0, 0);
        ProcTracker t = tracker(TargetSpec.byPids(List.of(100), true), 100);
        poll(t);
        // forked (same layout, same name): no exec
        proc.thread(200, 200, "work", 'S', 100, 60, 0x5000, 300, 40, 2, 1, 0);
        poll(t);
        assertThat(reports).hasSize(1);
        ForkReport f = (ForkReport) reports.getFirst();
        assertThat(f.pid()).isEqualTo(100);
        assertThat(f.childPid()).isEqualTo(200);
        assertThat(f.thread()).isFalse();
        assertThat(f.kind()).isEqualTo("fork");
        assertThat(f.syscall()).isNull();
        assertThat(f.cloneFlags()).isEqualTo(ForkReport.UNKNOWN_FLAGS);
        assertThat(f.cpu()).isEqualTo(CpuTaskCounters.NO_CPU);
        CpuTaskCounters r = row(t.rows(), 200);
        assertThat(r.get(Metric.ONCPU_NS)).as("born during the watch: from zero").isEqualTo(300);
        assertThat(r.get(Metric.WAIT_NS)).isEqualTo(40);
    }

    @Test
    void aChildThatAlreadyExecdIsAForkAndAnExec() {
        proc.thread(100, 100, "sh", 'S', 1, 50, 0x5000, 1_000_000, 0, 1, 0, 0);
        ProcTracker t = tracker(TargetSpec.command(List.of("sh")), 100);
        poll(t);
        proc.thread(201, 201, "yes", 'R', 100, 60, 0x7000, 300, 40, 2, 1, 0).program(201, "/usr/bin/yes");
        poll(t);
        assertThat(reports).hasSize(2);
        assertThat(reports.get(0)).isInstanceOf(ForkReport.class);
        ExecReport e = (ExecReport) reports.get(1);
        assertThat(e.pid()).isEqualTo(201);
        assertThat(e.filename()).isEqualTo("/usr/bin/yes");
        assertThat(e.comm()).isEqualTo("yes");
    }

    @Test
    void anExecIsANewLayoutAndARenameIsNot() {
        proc.thread(100, 100, "work", 'S', 1, 50, 0x5000, 1_000, 0, 1, 0, 0);
        ProcTracker t = tracker(TargetSpec.byPids(List.of(100), false), 100);
        poll(t);
        proc.thread(100, 100, "work-renamed", 'S', 1, 50, 0x5000, 2_000, 0, 2, 1, 0); // prctl(PR_SET_NAME)
        poll(t);
        assertThat(reports).as("a rename is not an exec").isEmpty();
        proc.thread(100, 100, "other", 'S', 1, 50, 0x9000, 3_000, 0, 3, 2, 0).program(100, "/usr/bin/other");
        poll(t);
        assertThat(reports).hasSize(1);
        assertThat(((ExecReport) reports.getFirst()).filename()).isEqualTo("/usr/bin/other");
        assertThat(row(t.rows(), 100).comm()).isEqualTo("other");
    }

    @Test
    void anotherUsersProcessWhoseLayoutIsHiddenExecsWhenItsNameChanges() {
        // startcode 1, startstack 0: the kernel hides the layout from whom may not ptrace the task
        proc.thread(100, 100, "work", 'S', 1, 50, 1, 1_000, 0, 1, 0, 0);
        ProcTracker t = tracker(TargetSpec.byPids(List.of(100), false), 100);
        poll(t);
        proc.thread(100, 100, "next", 'S', 1, 50, 1, 2_000, 0, 2, 1, 0);
        poll(t);
        assertThat(reports).hasSize(1).first().isInstanceOf(ExecReport.class);
    }

    @Test
    void aProcessThatExecsIntoTheNameIsWatchedFromThatPoll() {
        proc.thread(100, 100, "bash", 'S', 1, 50, 0x5000, 1_000, 0, 1, 0, 0);
        ProcTracker t = tracker(byName("stress"));
        poll(t);
        assertThat(t.rows()).isEmpty();
        proc.thread(100, 100, "stress", 'R', 1, 50, 0x6000, 5_000, 100, 3, 1, 0);
        poll(t);
        assertThat(reports).hasSize(1).first().isInstanceOf(ExecReport.class);
        proc.thread(100, 100, "stress", 'R', 1, 50, 0x6000, 9_000, 100, 4, 1, 1);
        poll(t);
        assertThat(row(t.rows(), 100).get(Metric.ONCPU_NS)).as("counted from the poll that found it").isEqualTo(4_000);
    }

    @Test
    void aProcessThatExecsOutOfTheNameKeepsWhatItDidUpToThePollBefore() {
        proc.thread(100, 100, "stress", 'R', 1, 50, 0x5000, 1_000, 0, 1, 0, 0);
        ProcTracker t = tracker(byName("stress"), 100);
        poll(t);
        proc.thread(100, 100, "stress", 'R', 1, 50, 0x5000, 3_000, 0, 2, 0, 1);
        poll(t);
        proc.thread(100, 100, "bash", 'R', 1, 50, 0x6000, 8_000, 0, 5, 1, 1);
        poll(t);
        proc.thread(100, 100, "bash", 'R', 1, 50, 0x6000, 9_000, 0, 6, 1, 1);
        poll(t);
        assertThat(reports).as("its exec is still reported").hasSize(1).first().isInstanceOf(ExecReport.class);
        assertThat(row(t.rows(), 100).get(Metric.ONCPU_NS)).isEqualTo(2_000);
    }

    @Test
    void aProcessThatExecsBackIntoTheNameCountsAgainFromThatPoll() {
        proc.thread(100, 100, "stress", 'R', 1, 50, 0x5000, 1_000, 0, 1, 0, 0);
        ProcTracker t = tracker(byName("stress"), 100);
        poll(t);
        proc.thread(100, 100, "stress", 'R', 1, 50, 0x5000, 3_000, 0, 2, 0, 1);
        poll(t);
        proc.thread(100, 100, "bash", 'R', 1, 50, 0x6000, 8_000, 0, 5, 1, 1);
        poll(t);
        proc.thread(100, 100, "stress", 'R', 1, 50, 0x7000, 20_000, 0, 9, 1, 1);
        poll(t);
        proc.thread(100, 100, "stress", 'R', 1, 50, 0x7000, 20_500, 0, 10, 1, 1);
        poll(t);
        assertThat(reports).as("out of the name and back: two execs").hasSize(2);
        assertThat(row(t.rows(), 100).get(Metric.ONCPU_NS)).as("2 000 before, 500 after").isEqualTo(2_500);
    }

    @Test
    void aNewThreadIsACloneCountedFromZeroAndAGoneOneKeepsItsLastReading() {
        proc.thread(100, 100, "work", 'S', 1, 50, 0x5000, 1_000, 0, 1, 0, 0);
        ProcTracker t = tracker(byName("work"), 100);
        poll(t);
        proc.thread(100, 101, "worker", 'R', 1, 70, 0x5000, 700, 30, 2, 1, 0);
        poll(t);
        ForkReport f = (ForkReport) reports.getFirst();
        assertThat(f.thread()).isTrue();
        assertThat(f.kind()).isEqualTo("clone");
        assertThat(f.childPid()).isEqualTo(101);
        assertThat(f.childTgid()).isEqualTo(100);
        proc.thread(100, 101, "worker", 'R', 1, 70, 0x5000, 1_900, 30, 3, 1, 1);
        poll(t);
        proc.remove(100, 101);
        poll(t);
        List<CpuTaskCounters> rows = t.rows();
        assertThat(row(rows, 101).get(Metric.ONCPU_NS)).as("its last reading").isEqualTo(1_900);
        assertThat(t.rows()).as("then forgotten").noneMatch(r -> r.tid() == 101);
        assertThat(reports).as("a thread's exit is not a line").hasSize(1);
    }

    @Test
    void aGoneProcessIsAnExitOfUnknownStatus() {
        proc.thread(100, 100, "work", 'S', 1, 50, 0x5000, 1_000, 0, 1, 0, 0);
        ProcTracker t = tracker(byName("work"), 100);
        poll(t);
        proc.removeProcess(100);
        poll(t);
        assertThat(reports).hasSize(1);
        ExitReport x = (ExitReport) reports.getFirst();
        assertThat(x.tgid()).isEqualTo(100);
        assertThat(x.status().known()).isFalse();
    }

    @Test
    void aZombieGivesItsFinalFiguresAndExitCodeOnce() {
        proc.thread(100, 100, "work", 'R', 1, 50, 0x5000, 1_000, 0, 1, 0, 0);
        ProcTracker t = tracker(byName("work"), 100);
        poll(t);
        // exited with exit(3), not yet reaped: wait status 3 << 8; a zombie has no memory map
        proc.thread(100, 100, new FakeProc.Files(FakeProc.schedstat(6_000, 10, 4), FakeProc.status("work", 3, 1),
                FakeProc.stat(100, "work", 'Z', 1, 50, 0, 0, 0, 3 << 8)));
        poll(t);
        poll(t);
        proc.removeProcess(100);
        poll(t);
        assertThat(reports).hasSize(1);
        ExitReport x = (ExitReport) reports.getFirst();
        assertThat(x.status().code()).isEqualTo(3);
        assertThat(row(t.rows(), 100).get(Metric.ONCPU_NS)).isEqualTo(5_000);
    }

    @Test
    void aReusedPidIsAnExitAndANewProcessTellingThemApartByStartTime() {
        proc.thread(100, 100, "sh", 'S', 1, 40, 0x4000, 1_000, 0, 1, 0, 0);
        proc.thread(300, 300, "work", 'S', 100, 50, 0x5000, 2_000, 0, 1, 0, 0);
        ProcTracker t = tracker(TargetSpec.byPids(List.of(100), true), 100, 300);
        poll(t);
        proc.thread(300, 300, "work", 'S', 100, 50, 0x5000, 2_500, 0, 2, 1, 0);
        poll(t);
        // pid 300 exited and was handed to a new child of 100 between two polls: same pid, later start
        proc.thread(300, 300, "sh", 'S', 100, 90, 0x4000, 400, 20, 1, 0, 0); // forked, no exec yet
        poll(t);
        assertThat(reports).hasSize(2);
        assertThat(reports.get(0)).isInstanceOf(ExitReport.class);
        assertThat(((ExitReport) reports.get(0)).tgid()).isEqualTo(300);
        assertThat(reports.get(1)).isInstanceOf(ForkReport.class);
        assertThat(((ForkReport) reports.get(1)).childPid()).isEqualTo(300);
        List<CpuTaskCounters> rows = t.rows().stream().filter(r -> r.tid() == 300).toList();
        assertThat(rows).as("two incarnations").hasSize(2);
        assertThat(rows.get(0).incarnation()).isNotEqualTo(rows.get(1).incarnation());
        assertThat(rows.get(0).get(Metric.ONCPU_NS)).as("the old one: from its first reading to its last").isEqualTo(500);
        assertThat(rows.get(1).get(Metric.ONCPU_NS)).as("the new one: its whole life").isEqualTo(400);
    }

    @Test
    void aThreadThatExecsTakesTheLeadersIdAndGoesOnFromItsOwnLastReading() {
        proc.thread(100, 100, "work", 'S', 1, 50, 0x5000, 9_000, 900, 9, 9, 0);
        proc.thread(100, 101, "work", 'R', 1, 51, 0x5000, 2_000, 200, 2, 2, 0);
        ProcTracker t = tracker(byName("work"), 100);
        poll(t);
        // thread 101 exec'd: de_thread() killed the leader and gave 101 its pid and start time
        proc.remove(100, 101);
        proc.thread(100, 100, "work", 'R', 1, 50, 0x8000, 2_600, 260, 3, 3, 0);
        poll(t);
        List<CpuTaskCounters> rows = t.rows().stream().filter(r -> r.tgid() == 100).toList();
        long oncpu = rows.stream().mapToLong(r -> r.get(Metric.ONCPU_NS)).sum();
        assertThat(oncpu).as("600 ns run by the thread that exec'd, nothing twice").isEqualTo(600);
        assertThat(reports).hasSize(1).first().isInstanceOf(ExecReport.class);
    }

    @Test
    void proctapItselfIsNeverWatched() {
        proc.thread((int) SELF, (int) SELF, "java", 'S', 1, 50, 0x5000, 1_000, 0, 1, 0, 0);
        ProcTracker t = tracker(byName("java"));
        poll(t);
        poll(t);
        assertThat(t.rows()).isEmpty();
    }
}
