package org.proctap.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.proctap.model.NameMatcher;
import org.proctap.model.Proc;
import org.proctap.model.TargetSpec;
import org.proctap.model.Task;
import org.proctap.model.TaskRegistry;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuTaskCounters;

class SchedAccountingTest {
    private static final long MS = 1_000_000;
    private static final long US = 1_000;
    private TaskRegistry registry;
    private SchedAccounting acct;
    private Task w;       // watched, tid 100

    @BeforeEach
    void setUp() {
        registry = new TaskRegistry(TargetSpec.byName(NameMatcher.of("work", false, false), false));
        Proc p = registry.addProcess(100, "work", false);
        w = registry.addTask(p, 100, "work");
        registry.addTask(p, 101, "worker-2");
        Proc other = registry.addProcess(200, "bash", false);
        registry.addTask(other, 200, "bash");
        acct = new SchedAccounting(registry, 2, 0);
    }

    private CpuTaskCounters row(CounterSnapshot s, int cpu, int tid) {
        return s.counters().stream().filter(r -> r.cpu() == cpu && r.tid() == tid).findFirst().orElse(null);
    }

    private CounterSnapshot snap(long ts) {
        return acct.snapshot(ts, false, new long[2]);
    }

    /** The kernel's charge at a switch-out comes just before the switch, from the same task. */
    private void switchOut(long ts, int cpu, int prev, long charged, int next) {
        acct.onRuntime(ts - 1, cpu, prev, prev, charged);
        acct.onSwitch(ts, cpu, prev, next);
    }

    @Test
    void onCpuTimeIsTheKernelsChargesAndRunsAreSwitchIns() {
        acct.onSwitch(10 * MS, 0, 0, 100);           // idle -> w
        switchOut(13 * MS, 0, 100, 3 * MS + 25 * US, 0); // the kernel charged from the wake-up
        acct.onSwitch(20 * MS, 0, 0, 100);
        acct.onRuntime(21 * MS, 0, 100, 100, 1 * MS); // a tick
        switchOut(22 * MS, 0, 100, 1 * MS, 200);     // w preempted by bash
        acct.onRuntime(23 * MS, 0, 200, 200, 1 * MS); // bash is not watched
        CpuTaskCounters r = row(snap(30 * MS), 0, 100);
        assertThat(r.runs()).isEqualTo(2);
        assertThat(r.oncpuNs()).isEqualTo(5 * MS + 25 * US);
        assertThat(row(snap(31 * MS), 0, 200)).as("bash is not watched").isNull();
    }

    @Test
    void aChargeFromAnotherCpuGoesToTheCpuTheTaskRunsOn() {
        acct.onSwitch(10 * MS, 1, 0, 100);
        acct.onRuntime(11 * MS, 0, 101, 100, 1 * MS); // w2 on CPU 0 read w's clock
        switchOut(12 * MS, 1, 100, 1 * MS, 0);
        CounterSnapshot s = snap(20 * MS);
        assertThat(row(s, 1, 100).oncpuNs()).isEqualTo(2 * MS);
        assertThat(row(s, 0, 100)).isNull();
    }

    @Test
    void runningSliceIsEstimatedUpToTheSnapshotUntilTheKernelChargesIt() {
        acct.onSwitch(10 * MS, 1, 0, 100);
        assertThat(row(snap(15 * MS), 1, 100).oncpuNs()).isEqualTo(5 * MS);
        acct.onRuntime(16 * MS, 1, 100, 100, 6 * MS);  // a tick: the kernel's own figure
        assertThat(row(snap(18 * MS), 1, 100).oncpuNs()).isEqualTo(8 * MS);
        switchOut(20 * MS, 1, 100, 4 * MS - 10 * US, 0);
        CpuTaskCounters r = row(snap(25 * MS), 1, 100);
        assertThat(r.oncpuNs()).as("the kernel's charges alone once it is off the CPU").isEqualTo(10 * MS - 10 * US);
        assertThat(r.runs()).isEqualTo(1);
    }

    @Test
    void taskRunningAtStartIsChargedWithoutASwitchIn() {
        acct.onTimerEntry(4 * MS, 0, 100);
        acct.onTimerExit(4 * MS + 20 * US, 0, 100);
        switchOut(6 * MS, 0, 100, 9 * MS, 0);        // running since before the start
        CpuTaskCounters r = row(snap(10 * MS), 0, 100);
        assertThat(r.oncpuNs()).isEqualTo(9 * MS);
        assertThat(r.runs()).isZero();
        assertThat(r.timerCount()).isEqualTo(1);
        assertThat(r.timerNs()).isEqualTo(20 * US);
    }

    @Test
    void aMissedSwitchInIsCountedAndItsSliceIsTheKernelsCharge() {
        // w sleeps on CPU 1; the kernel never reports bash -> w (some switches fire no tracepoint).
        acct.onSwitch(5 * MS, 1, 0, 100);
        switchOut(10 * MS, 1, 100, 5 * MS, 200);
        acct.onTimerEntry(15 * MS, 1, 200);           // bash still runs at 15
        acct.onTimerExit(15 * MS + 5 * US, 1, 200);
        switchOut(23 * MS, 1, 100, 2 * MS, 0);        // w -> idle, but w never came in
        CounterSnapshot s = snap(30 * MS);
        CpuTaskCounters r = row(s, 1, 100);
        assertThat(r.oncpuNs()).as("no time guessed from the window 15..23 ms").isEqualTo(7 * MS);
        assertThat(r.runs()).as("the missed switch-in is counted").isEqualTo(2);
        assertThat(s.repairsPerCpu()[1]).isEqualTo(1);
        assertThat(s.repairedNsPerCpu()[1]).as("on-CPU time in repaired slices").isEqualTo(2 * MS);
    }

    @Test
    void switchesBetweenUnknownTasksAreInvisibleUnderThePidFilterAndNotRepairs() {
        acct.onSwitch(5 * MS, 0, 0, 100);
        switchOut(10 * MS, 0, 100, 5 * MS, 300);   // w -> unknown 300
        acct.onSwitch(20 * MS, 0, 301, 100);      // unknown 301 -> w (300 -> 301 was filtered out)
        switchOut(25 * MS, 0, 100, 5 * MS, 0);
        CounterSnapshot s = snap(30 * MS);
        assertThat(s.repairsPerCpu()[0]).isZero();
        assertThat(row(s, 0, 100).oncpuNs()).isEqualTo(10 * MS);
    }

    @Test
    void timerInterruptsOfUnwatchedTasksAreIgnored() {
        acct.onSwitch(1 * MS, 0, 0, 200);
        acct.onTimerEntry(2 * MS, 0, 200);
        acct.onTimerExit(3 * MS, 0, 200);
        assertThat(snap(4 * MS).counters()).isEmpty();
    }

    @Test
    void afterLostEventsTheNextSwitchInIsNotCountedButTheChargesAre() {
        acct.onSwitch(10 * MS, 0, 0, 100);
        acct.onRuntime(12 * MS, 0, 100, 100, 2 * MS);
        acct.onLost(30 * MS, 0);
        switchOut(35 * MS, 0, 101, 4 * MS, 0);       // first thing after the gap
        CounterSnapshot s = snap(40 * MS);
        assertThat(row(s, 0, 100).oncpuNs()).isEqualTo(2 * MS);
        assertThat(row(s, 0, 101).oncpuNs()).isEqualTo(4 * MS);
        assertThat(row(s, 0, 101).runs()).as("its switch-in was lost, not seen").isZero();
        assertThat(s.repairsPerCpu()[0]).as("a loss is no repair").isZero();
    }

    @Test
    void exitedTaskIsDroppedAfterTheSnapshotThatShowsItsLastSlice() {
        acct.onSwitch(10 * MS, 0, 0, 101);
        registry.onExit(101);
        switchOut(12 * MS, 0, 101, 2 * MS, 0);
        assertThat(row(snap(20 * MS), 0, 101).oncpuNs()).isEqualTo(2 * MS);
        assertThat(row(snap(30 * MS), 0, 101)).isNull();
        assertThat(registry.task(101)).isNull();
    }

    @Test
    void startedRunningCountsOnlyTheChargeAfterTheExecThatMadeItWatched() {
        Proc p = registry.addProcess(400, "work", false);
        Task late = registry.addTask(p, 400, "work");
        acct.startedRunning(50 * MS, 1, late);
        // the kernel's first charge covers time since its last update, before the exec too
        switchOut(53 * MS, 1, 400, 5 * MS, 0);
        CounterSnapshot s = snap(60 * MS);
        CpuTaskCounters r = row(s, 1, 400);
        assertThat(r.oncpuNs()).as("no more than the clock since the exec").isEqualTo(3 * MS - 1);
        assertThat(r.runs()).isZero();
        assertThat(s.repairsPerCpu()[1]).isZero();
    }

    @Test
    void splitGivesTheChargeBeforeTheRenameToWhatWasTrueThen() {
        acct.onSwitch(10 * MS, 0, 0, 100);
        acct.onRuntime(12 * MS, 0, 100, 100, 2 * MS);
        acct.split(15 * MS, w);
        registry.onRename(100, "renamed");             // main thread renamed: no longer matches
        switchOut(20 * MS, 0, 100, 8 * MS, 0);         // covers 12..20
        assertThat(row(snap(30 * MS), 0, 100).oncpuNs()).as("2 ms charged, then 8 ms of which 5 after the rename")
                .isEqualTo(2 * MS + 3 * MS + 1);
        assertThat(w.watched()).isFalse();
    }

    @Test
    void aChargeSmallerThanTheClockSinceTheSplitIsAllAfterIt() {
        acct.onSwitch(10 * MS, 0, 0, 100);
        acct.split(15 * MS, w);
        registry.onRename(100, "renamed");
        switchOut(20 * MS, 0, 100, 4 * MS, 0);          // steal time: less than the 5 ms since the split
        assertThat(row(snap(30 * MS), 0, 100).oncpuNs()).as("nothing before the rename is left to charge").isZero();
    }
}
