package org.proctap.stats;

import org.proctap.metric.Metric;

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
    /** sched_switch prev_state of a task going to sleep (S). */
    static final long SLEEPING = 1;

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
        acct.onSwitch(ts, cpu, prev, next, SLEEPING);
    }

    /** sched_switch prev_state: R (preempted: TASK_REPORT_MAX, letters 0) and D. */
    static final long PREEMPTED = 0x100;
    static final long BLOCKED = 2;

    @Test
    void aPreemptedTaskWaitsFromItsSwitchOutUntilItRunsAgain() {
        acct.onSwitch(10 * MS, 0, 0, 100, SLEEPING);
        acct.onSwitch(12 * MS, 0, 100, 200, PREEMPTED);  // w preempted by bash
        acct.onSwitch(15 * MS, 0, 200, 100, SLEEPING);   // w again, after 3 ms runnable
        acct.onSwitch(16 * MS, 0, 100, 0, SLEEPING);     // w goes to sleep
        CpuTaskCounters r = row(snap(20 * MS), 0, 100);
        assertThat(r.get(Metric.PREEMPT)).isEqualTo(1);
        assertThat(r.get(Metric.VOL)).isEqualTo(1);
        assertThat(r.get(Metric.WAIT_NS)).isEqualTo(3 * MS);
        assertThat(r.get(Metric.SLEEP_NS)).as("runnable while off the CPU; asleep from 16 ms to the snapshot")
                .isEqualTo(4 * MS);
        assertThat(row(snap(21 * MS), 0, 200)).as("bash is not watched").isNull();
    }

    @Test
    void aSleepEndsAtTheWakeUpAndTheWaitAtTheSwitchIn() {
        acct.onSwitch(10 * MS, 0, 0, 100, SLEEPING);
        acct.onSwitch(11 * MS, 0, 100, 0, SLEEPING);     // asleep (S) from 11 ms
        acct.onWakeup(18 * MS, 1, 200, 100, -1);             // bash on CPU 1 wakes it
        acct.onSwitch(18 * MS + 40 * US, 0, 0, 100, SLEEPING);
        acct.onSwitch(19 * MS, 0, 100, 0, BLOCKED);      // blocked (D) from 19 ms
        acct.onWakeup(25 * MS, 0, 0, 100, -1);               // an interrupt in idle wakes it
        acct.onSwitch(25 * MS + 10 * US, 0, 0, 100, SLEEPING);
        CpuTaskCounters r = row(snap(30 * MS), 0, 100);
        assertThat(r.get(Metric.SLEEP_NS)).isEqualTo(7 * MS);
        assertThat(r.get(Metric.IO_NS)).isEqualTo(6 * MS);
        assertThat(r.get(Metric.WAIT_NS)).isEqualTo(50 * US);
        assertThat(r.get(Metric.VOL)).isEqualTo(2);
        assertThat(r.get(Metric.RUNS)).isEqualTo(3);
    }

    /**
     * A sleep starts at the kernel's last charge of the slice, where it dequeued the task, not at
     * the switch's event (later: the next task is picked in between) nor at the charges' sum
     * from the slice's start (earlier: the kernel's task clock leaves interrupts out); a preempted
     * task's wait starts at that sum, as the kernel's run_delay does; with no charge in the slice,
     * a sleep starts at the switch.
     */
    @Test
    void aSleepStartsAtTheSlicesLastChargeAndWithoutOneAtTheSwitch() {
        acct.onSwitch(10 * MS, 0, 0, 100, SLEEPING);
        acct.onRuntime(10 * MS + 900 * US, 0, 100, 100, 500 * US); // sum says 10.5 ms, event at 10.9
        acct.onSwitch(11 * MS, 0, 100, 0, BLOCKED);      // blocked (D) since the charge
        acct.onWakeup(15 * MS, 0, 0, 100, 0);
        acct.onSwitch(15 * MS, 0, 0, 100, SLEEPING);
        acct.onRuntime(16 * MS, 0, 100, 100, 500 * US);
        acct.onSwitch(16 * MS, 0, 100, 200, PREEMPTED);  // preempted: waits from the clock, 15.5 ms
        acct.onSwitch(17 * MS, 0, 200, 100, SLEEPING);
        acct.onSwitch(18 * MS, 0, 100, 0, SLEEPING);     // no charge seen in this slice: from 18 ms
        acct.onWakeup(19 * MS, 1, 200, 100, 0);
        acct.onSwitch(19 * MS, 0, 0, 100, SLEEPING);
        CpuTaskCounters r = row(snap(20 * MS), 0, 100);
        assertThat(r.get(Metric.IO_NS)).as("10.9..15 ms").isEqualTo(4100 * US);
        assertThat(r.get(Metric.SLEEP_NS)).as("18..19 ms").isEqualTo(1 * MS);
        assertThat(r.get(Metric.WAIT_NS)).isEqualTo(1500 * US);
        assertThat(r.get(Metric.ONCPU_NS)).as("the kernel's charges, none for the 17 ms slice").isEqualTo(2 * MS);
    }

    /**
     * A wake-up that preempts the running task keeps the run queue's clock of the wake-up,
     * taken before its event, for the switch: the kernel charges the woken task as running from
     * there, so its sleep ends there and it waited for nothing. After a watched task its charges
     * say where that clock stood; after an unwatched one the woken task's first charge does.
     */
    @Test
    void aSleepEndsWhereTheKernelStartsChargingAfterAPreemptingWakeUp() {
        acct.onSwitch(1 * MS, 0, 0, 100, SLEEPING);
        acct.onRuntime(2 * MS, 0, 100, 100, 1 * MS);
        acct.onSwitch(2 * MS, 0, 100, 101, BLOCKED);           // w blocked (D) from 2 ms
        acct.onRuntime(4 * MS, 0, 101, 101, 2 * MS);
        acct.onWakeup(5 * MS, 0, 101, 100, 0);                 // clock of the wake-up: 1 us before
        acct.onRuntime(5 * MS + 2 * US, 0, 101, 101, 1 * MS - 1 * US);
        acct.onSwitch(5 * MS + 3 * US, 0, 101, 100, PREEMPTED);
        acct.onRuntime(6 * MS, 0, 100, 100, 1 * MS + 1 * US);
        acct.onSwitch(6 * MS, 0, 100, 200, BLOCKED);           // blocked again, bash (not watched) runs
        acct.onWakeup(9 * MS, 0, 200, 100, 0);
        acct.onSwitch(9 * MS + 3 * US, 0, 200, 100, PREEMPTED);
        acct.onRuntime(10 * MS, 0, 100, 100, 1 * MS + 1 * US); // so charged from 9 ms - 1 us
        CpuTaskCounters r = row(snap(10 * MS), 0, 100);
        assertThat(r.get(Metric.IO_NS)).as("2 ms .. 5 ms - 1 us, 6 ms .. 9 ms - 1 us")
                .isEqualTo(2 * (3 * MS - 1 * US));
        assertThat(r.get(Metric.WAIT_NS)).as("none after the watched task; 3 us as the events tell after bash "
                + "(run_delay, here none, corrects it)").isEqualTo(3 * US);
        assertThat(r.get(Metric.ONCPU_NS)).isEqualTo(3 * MS + 2 * US);
    }

    @Test
    void aWakeUpOfATaskStillRunningStartsNoWait() {
        acct.onSwitch(10 * MS, 0, 0, 100, SLEEPING);
        acct.onWakeup(11 * MS, 1, 200, 100, -1);             // woken before it could sleep
        acct.onSwitch(12 * MS, 0, 100, 0, SLEEPING);
        acct.onWakeup(14 * MS, 1, 200, 100, -1);
        acct.onSwitch(15 * MS, 1, 200, 100, PREEMPTED);
        CounterSnapshot snap = snap(20 * MS);
        assertThat(row(snap, 1, 100).get(Metric.WAIT_NS)).as("on the CPU it waited for").isEqualTo(1 * MS);
        assertThat(row(snap, 1, 100).get(Metric.SLEEP_NS)).isZero();
        assertThat(row(snap, 0, 100).get(Metric.SLEEP_NS)).as("on the CPU it left, as the BPF source")
                .isEqualTo(2 * MS);
    }

    @Test
    void migrationsAreChargedToTheCpuTheTaskArrivesOn() {
        acct.onSwitch(10 * MS, 0, 0, 100, SLEEPING);
        acct.onSwitch(11 * MS, 0, 100, 0, SLEEPING);
        acct.onWakeup(12 * MS, 1, 200, 100, -1);
        acct.onMigrate(12 * MS, 1, 200, 100);            // the waker moves it to CPU 1
        acct.onMigrate(12 * MS, 1, 200, 200);            // bash is not watched
        acct.onSwitch(13 * MS, 1, 200, 100, PREEMPTED);
        assertThat(row(snap(20 * MS), 1, 100).get(Metric.MIGR)).isEqualTo(1);
        assertThat(row(snap(21 * MS), 0, 100).get(Metric.MIGR)).isZero();
    }

    @Test
    void aMissedSwitchInOutOfIdleEndsTheSleepAtTheWakeUpWithNoWait() {
        acct.onSwitch(10 * MS, 0, 0, 100, SLEEPING);
        acct.onSwitch(11 * MS, 0, 100, 0, SLEEPING);     // asleep from 11 ms
        acct.onWakeup(15 * MS, 0, 0, 100, 0);
        acct.onRuntime(17 * MS, 0, 100, 100, 1 * MS);   // running: its switch-in was not reported
        acct.onRuntime(18 * MS, 0, 100, 100, 1 * MS);   // the dequeue's charge
        acct.onSwitch(18 * MS, 0, 100, 0, SLEEPING);
        CpuTaskCounters r = row(snap(20 * MS), 0, 100);
        assertThat(r.get(Metric.RUNS)).as("the missed switch-in is counted").isEqualTo(2);
        assertThat(r.get(Metric.WAIT_NS)).as("out of idle the kernel's wait ends at the wake-up").isZero();
        assertThat(r.get(Metric.SLEEP_NS)).as("11..15 ms, and 18 ms to the snapshot").isEqualTo(6 * MS);
        assertThat(r.get(Metric.VOL)).isEqualTo(2);
    }

    @Test
    void onCpuTimeIsTheKernelsChargesAndRunsAreSwitchIns() {
        acct.onSwitch(10 * MS, 0, 0, 100, SLEEPING);           // idle -> w
        switchOut(13 * MS, 0, 100, 3 * MS + 25 * US, 0); // the kernel charged from the wake-up
        acct.onSwitch(20 * MS, 0, 0, 100, SLEEPING);
        acct.onRuntime(21 * MS, 0, 100, 100, 1 * MS); // a tick
        switchOut(22 * MS, 0, 100, 1 * MS, 200);     // w preempted by bash
        acct.onRuntime(23 * MS, 0, 200, 200, 1 * MS); // bash is not watched
        CpuTaskCounters r = row(snap(30 * MS), 0, 100);
        assertThat(r.get(Metric.RUNS)).isEqualTo(2);
        assertThat(r.get(Metric.ONCPU_NS)).isEqualTo(5 * MS + 25 * US);
        assertThat(row(snap(31 * MS), 0, 200)).as("bash is not watched").isNull();
    }

    @Test
    void aChargeFromAnotherCpuGoesToTheCpuTheTaskRunsOn() {
        acct.onSwitch(10 * MS, 1, 0, 100, SLEEPING);
        acct.onRuntime(11 * MS, 0, 101, 100, 1 * MS); // w2 on CPU 0 read w's clock
        switchOut(12 * MS, 1, 100, 1 * MS, 0);
        CounterSnapshot s = snap(20 * MS);
        assertThat(row(s, 1, 100).get(Metric.ONCPU_NS)).isEqualTo(2 * MS);
        assertThat(row(s, 0, 100)).isNull();
    }

    @Test
    void runningSliceIsEstimatedUpToTheSnapshotUntilTheKernelChargesIt() {
        acct.onSwitch(10 * MS, 1, 0, 100, SLEEPING);
        assertThat(row(snap(15 * MS), 1, 100).get(Metric.ONCPU_NS)).isEqualTo(5 * MS);
        acct.onRuntime(16 * MS, 1, 100, 100, 6 * MS);  // a tick: the kernel's own figure
        assertThat(row(snap(18 * MS), 1, 100).get(Metric.ONCPU_NS)).isEqualTo(8 * MS);
        switchOut(20 * MS, 1, 100, 4 * MS - 10 * US, 0);
        CpuTaskCounters r = row(snap(25 * MS), 1, 100);
        assertThat(r.get(Metric.ONCPU_NS)).as("the kernel's charges alone once it is off the CPU").isEqualTo(10 * MS - 10 * US);
        assertThat(r.get(Metric.RUNS)).isEqualTo(1);
    }

    @Test
    void taskRunningAtStartIsChargedWithoutASwitchIn() {
        acct.onTimerEntry(4 * MS, 0, 100);
        acct.onTimerExit(4 * MS + 20 * US, 0, 100);
        switchOut(6 * MS, 0, 100, 9 * MS, 0);        // running since before the start
        CpuTaskCounters r = row(snap(10 * MS), 0, 100);
        assertThat(r.get(Metric.ONCPU_NS)).isEqualTo(9 * MS);
        assertThat(r.get(Metric.RUNS)).isZero();
        assertThat(r.get(Metric.TIMER_COUNT)).isEqualTo(1);
        assertThat(r.get(Metric.TIMER_NS)).isEqualTo(20 * US);
    }

    @Test
    void aMissedSwitchInIsCountedAndItsSliceIsTheKernelsCharge() {
        // w sleeps on CPU 1; the kernel never reports bash -> w (some switches fire no tracepoint).
        acct.onSwitch(5 * MS, 1, 0, 100, SLEEPING);
        switchOut(10 * MS, 1, 100, 5 * MS, 200);
        acct.onTimerEntry(15 * MS, 1, 200);           // bash still runs at 15
        acct.onTimerExit(15 * MS + 5 * US, 1, 200);
        switchOut(23 * MS, 1, 100, 2 * MS, 0);        // w -> idle, but w never came in
        CounterSnapshot s = snap(30 * MS);
        CpuTaskCounters r = row(s, 1, 100);
        assertThat(r.get(Metric.ONCPU_NS)).as("no time guessed from the window 15..23 ms").isEqualTo(7 * MS);
        assertThat(r.get(Metric.RUNS)).as("the missed switch-in is counted").isEqualTo(2);
        assertThat(s.repairsPerCpu()[1]).isEqualTo(1);
        assertThat(s.repairedNsPerCpu()[1]).as("on-CPU time in repaired slices").isEqualTo(2 * MS);
    }

    @Test
    void switchesBetweenUnknownTasksAreInvisibleUnderThePidFilterAndNotRepairs() {
        acct.onSwitch(5 * MS, 0, 0, 100, SLEEPING);
        switchOut(10 * MS, 0, 100, 5 * MS, 300);   // w -> unknown 300
        acct.onSwitch(20 * MS, 0, 301, 100, SLEEPING);      // unknown 301 -> w (300 -> 301 was filtered out)
        switchOut(25 * MS, 0, 100, 5 * MS, 0);
        CounterSnapshot s = snap(30 * MS);
        assertThat(s.repairsPerCpu()[0]).isZero();
        assertThat(row(s, 0, 100).get(Metric.ONCPU_NS)).isEqualTo(10 * MS);
    }

    @Test
    void timerInterruptsOfUnwatchedTasksAreIgnored() {
        acct.onSwitch(1 * MS, 0, 0, 200, SLEEPING);
        acct.onTimerEntry(2 * MS, 0, 200);
        acct.onTimerExit(3 * MS, 0, 200);
        assertThat(snap(4 * MS).counters()).isEmpty();
    }

    @Test
    void afterLostEventsTheNextSwitchInIsNotCountedButTheChargesAre() {
        acct.onSwitch(10 * MS, 0, 0, 100, SLEEPING);
        acct.onRuntime(12 * MS, 0, 100, 100, 2 * MS);
        acct.onLost(30 * MS, 0);
        switchOut(35 * MS, 0, 101, 4 * MS, 0);       // first thing after the gap
        CounterSnapshot s = snap(40 * MS);
        assertThat(row(s, 0, 100).get(Metric.ONCPU_NS)).isEqualTo(2 * MS);
        assertThat(row(s, 0, 101).get(Metric.ONCPU_NS)).isEqualTo(4 * MS);
        assertThat(row(s, 0, 101).get(Metric.RUNS)).as("its switch-in was lost, not seen").isZero();
        assertThat(s.repairsPerCpu()[0]).as("a loss is no repair").isZero();
    }

    @Test
    void exitedTaskIsDroppedAfterTheSnapshotThatShowsItsLastSlice() {
        acct.onSwitch(10 * MS, 0, 0, 101, SLEEPING);
        registry.onExit(101);
        switchOut(12 * MS, 0, 101, 2 * MS, 0);
        assertThat(row(snap(20 * MS), 0, 101).get(Metric.ONCPU_NS)).isEqualTo(2 * MS);
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
        assertThat(r.get(Metric.ONCPU_NS)).as("no more than the clock since the exec").isEqualTo(3 * MS - 1);
        assertThat(r.get(Metric.RUNS)).isZero();
        assertThat(s.repairsPerCpu()[1]).isZero();
    }

    @Test
    void splitGivesTheChargeBeforeTheRenameToWhatWasTrueThen() {
        acct.onSwitch(10 * MS, 0, 0, 100, SLEEPING);
        acct.onRuntime(12 * MS, 0, 100, 100, 2 * MS);
        acct.split(15 * MS, w);
        registry.onRename(100, "renamed");             // main thread renamed: no longer matches
        switchOut(20 * MS, 0, 100, 8 * MS, 0);         // covers 12..20
        assertThat(row(snap(30 * MS), 0, 100).get(Metric.ONCPU_NS)).as("2 ms charged, then 8 ms of which 5 after the rename")
                .isEqualTo(2 * MS + 3 * MS + 1);
        assertThat(w.watched()).isFalse();
    }

    @Test
    void aChargeSmallerThanTheClockSinceTheSplitIsAllAfterIt() {
        acct.onSwitch(10 * MS, 0, 0, 100, SLEEPING);
        acct.split(15 * MS, w);
        registry.onRename(100, "renamed");
        switchOut(20 * MS, 0, 100, 4 * MS, 0);          // steal time: less than the 5 ms since the split
        assertThat(row(snap(30 * MS), 0, 100).get(Metric.ONCPU_NS)).as("nothing before the rename is left to charge").isZero();
    }

    @Test
    void theFinalReadingAnchorsATaskItDidNotKnowByTid() {
        Task child = registry.onNewTask(100, 102, true, "work");
        acct.born(child);
        acct.onSwitch(10 * MS, 0, 0, 102, SLEEPING);
        acct.onSwitch(11 * MS, 0, 102, 200, PREEMPTED);
        acct.onSwitch(14 * MS, 0, 200, 102, SLEEPING);  // 3 ms waited, as the events measure it
        acct.onSwitch(15 * MS, 0, 102, 0, SLEEPING);
        RunDelays last = new RunDelays();
        last.put(102, RunDelays.ANY_INCARNATION, 3 * MS + 40 * US, 20 * MS); // the kernel's run_delay
        last.put(101, RunDelays.ANY_INCARNATION, 7 * MS, 20 * MS);           // never ran: nothing to correct
        last.end(21 * MS);
        CounterSnapshot fin = acct.snapshot(20 * MS, true, new long[2], last);
        assertThat(row(fin, 0, 102).get(Metric.WAIT_NS)).as("the events' 3 ms, anchored to run_delay")
                .isEqualTo(3 * MS + 40 * US);
    }

    @Test
    void aReadingByTidIsNotTakenByAnExitedTask() {
        Task child = registry.onNewTask(100, 102, true, "work");
        acct.born(child);
        acct.onSwitch(10 * MS, 0, 0, 102, SLEEPING);
        acct.onSwitch(11 * MS, 0, 102, 200, PREEMPTED);
        acct.onSwitch(14 * MS, 0, 200, 102, SLEEPING);
        child.exited = true;                              // its tid, read after the stop, is someone else's
        RunDelays last = new RunDelays();
        last.put(102, RunDelays.ANY_INCARNATION, 50 * MS, 20 * MS);
        last.end(21 * MS);
        CounterSnapshot fin = acct.snapshot(20 * MS, true, new long[2], last);
        assertThat(row(fin, 0, 102).get(Metric.WAIT_NS)).isEqualTo(3 * MS);
    }
}
