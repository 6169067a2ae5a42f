package org.proctap.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

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
    private TaskRegistry registry;
    private SchedAccounting acct;
    private Task w;       // watched, tid 100
    private Task w2;      // watched thread, tid 101

    @BeforeEach
    void setUp() {
        registry = new TaskRegistry(TargetSpec.byName(NameMatcher.of("work", false, false), false));
        Proc p = registry.addProcess(100, "work", false);
        w = registry.addTask(p, 100, "work");
        w2 = registry.addTask(p, 101, "worker-2");
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

    @Test
    void countsSwitchInsAndSlices() {
        acct.onSwitch(10 * MS, 0, 0, 100);   // idle -> w
        acct.onSwitch(13 * MS, 0, 100, 0);   // w -> idle
        acct.onSwitch(20 * MS, 0, 0, 100);
        acct.onSwitch(22 * MS, 0, 100, 200); // w preempted by bash
        CpuTaskCounters r = row(snap(30 * MS), 0, 100);
        assertThat(r.runs()).isEqualTo(2);
        assertThat(r.oncpuNs()).isEqualTo(5 * MS);
        assertThat(row(snap(31 * MS), 0, 200)).as("bash is not watched").isNull();
    }

    @Test
    void aTaskTakingOverAnIdleCpuIsChargedFromItsWakeUpAsTheKernelDoes() {
        acct.onSwitch(10 * MS, 0, 100, 0);           // w sleeps, CPU 0 idles
        acct.onEnqueue(20 * MS, 100, 0);             // woken onto CPU 0
        acct.onSwitch(20 * MS + 25_000, 0, 0, 100);  // idle -> w, 25 us later
        acct.onSwitch(22 * MS, 0, 100, 200);         // preempted by bash
        acct.onEnqueue(23 * MS, 100, 0);             // a wake-up while another task runs
        acct.onSwitch(24 * MS, 0, 200, 100);         // bash -> w: charged from the switch
        acct.onSwitch(25 * MS, 0, 100, 0);
        CpuTaskCounters r = row(snap(30 * MS), 0, 100);
        assertThat(r.oncpuNs()).isEqualTo(10 * MS + 2 * MS + 1 * MS);
        assertThat(r.runs()).isEqualTo(2);
    }

    @Test
    void aWakeUpOnAnotherCpuDoesNotMoveTheStart() {
        acct.onSwitch(10 * MS, 1, 0, 100);
        acct.onEnqueue(5 * MS, 101, 1);
        acct.onSwitch(11 * MS, 0, 0, 101);           // w2 woken for CPU 1 but ran on CPU 0
        acct.onSwitch(12 * MS, 0, 101, 0);
        assertThat(row(snap(20 * MS), 0, 101).oncpuNs()).isEqualTo(1 * MS);
    }

    @Test
    void runningSliceIsCountedUpToTheSnapshotAndNotTwice() {
        acct.onSwitch(10 * MS, 1, 0, 100);
        assertThat(row(snap(15 * MS), 1, 100).oncpuNs()).isEqualTo(5 * MS);
        assertThat(row(snap(18 * MS), 1, 100).oncpuNs()).isEqualTo(8 * MS);
        acct.onSwitch(20 * MS, 1, 100, 0);
        CpuTaskCounters r = row(snap(25 * MS), 1, 100);
        assertThat(r.oncpuNs()).isEqualTo(10 * MS);
        assertThat(r.runs()).isEqualTo(1);
    }

    @Test
    void taskRunningAtStartIsCreditedFromTheStartWithoutASwitchIn() {
        acct.onTimerEntry(4 * MS, 0, 100);
        acct.onTimerExit(4 * MS + 20_000, 0, 100);
        acct.onSwitch(6 * MS, 0, 100, 0);
        CpuTaskCounters r = row(snap(10 * MS), 0, 100);
        assertThat(r.oncpuNs()).isEqualTo(6 * MS);
        assertThat(r.runs()).isZero();
        assertThat(r.timerCount()).isEqualTo(1);
        assertThat(r.timerNs()).isEqualTo(20_000);
    }

    @Test
    void missingSwitchFromIdleIsRepairedAtTheWakeUp() {
        // w goes to sleep on CPU 1; the kernel never reports idle -> w when it wakes (this VM).
        acct.onSwitch(5 * MS, 1, 0, 100);
        acct.onSwitch(10 * MS, 1, 100, 0);
        acct.observe(15 * MS, 1, 0);                 // a timer interrupt in idle
        acct.onEnqueue(20 * MS, 100, 1);             // sched_wakeup(w, target_cpu=1)
        acct.onSwitch(23 * MS, 1, 100, 0);           // w -> idle, but we never saw w come in
        CpuTaskCounters r = row(snap(30 * MS), 1, 100);
        assertThat(r.oncpuNs()).as("second slice starts at the wake-up").isEqualTo(5 * MS + 3 * MS);
        assertThat(r.runs()).as("the missed switch-in is counted").isEqualTo(2);
        assertThat(acct.repairs()[1]).isEqualTo(1);
    }

    @Test
    void missingSwitchWithoutHintStartsAtTheLastEvidenceOfThePreviousTask() {
        acct.onSwitch(10 * MS, 0, 200, 101);          // bash -> w2
        acct.onTimerEntry(12 * MS, 0, 101);           // evidence of w2 at 12
        acct.onTimerExit(12 * MS + 10_000, 0, 101);
        acct.onSwitch(16 * MS, 0, 100, 0);            // w was running, its switch-in is missing
        CounterSnapshot s = snap(20 * MS);
        assertThat(row(s, 0, 101).oncpuNs()).isEqualTo(2 * MS + 10_000);
        assertThat(row(s, 0, 100).oncpuNs()).isEqualTo(4 * MS - 10_000);
        assertThat(row(s, 0, 100).runs()).isEqualTo(1);
    }

    @Test
    void repairNeverTakesBackTimeAlreadyReported() {
        acct.onSwitch(10 * MS, 0, 0, 100);
        CounterSnapshot first = snap(20 * MS);             // reports w up to 20 (running)
        assertThat(row(first, 0, 100).oncpuNs()).isEqualTo(10 * MS);
        acct.onSwitch(30 * MS, 0, 101, 0);                 // it was w2 all along? w's evidence ends at 10
        CounterSnapshot second = snap(40 * MS);
        assertThat(row(second, 0, 100).oncpuNs()).isGreaterThanOrEqualTo(10 * MS);
        assertThat(row(second, 0, 100).oncpuNs() + row(second, 0, 101).oncpuNs()).isEqualTo(20 * MS);
    }

    @Test
    void switchesBetweenUnknownTasksAreInvisibleUnderThePidFilterAndNotRepairs() {
        acct.onSwitch(5 * MS, 0, 0, 100);
        acct.onSwitch(10 * MS, 0, 100, 300);   // w -> unknown 300
        acct.onSwitch(20 * MS, 0, 301, 100);   // unknown 301 -> w (300 -> 301 was filtered out)
        acct.onSwitch(25 * MS, 0, 100, 0);
        assertThat(acct.repairs()[0]).isZero();
        assertThat(row(snap(30 * MS), 0, 100).oncpuNs()).isEqualTo(10 * MS);
    }

    @Test
    void timerInterruptsOfUnwatchedTasksAreIgnored() {
        acct.onSwitch(1 * MS, 0, 0, 200);
        acct.onTimerEntry(2 * MS, 0, 200);
        acct.onTimerExit(3 * MS, 0, 200);
        assertThat(snap(4 * MS).counters()).isEmpty();
    }

    @Test
    void lostEventsCloseTheSliceAtItsLastEvidence() {
        acct.onSwitch(10 * MS, 0, 0, 100);
        acct.observe(12 * MS, 0, 100);
        acct.onLost(30 * MS, 0);
        acct.onSwitch(35 * MS, 0, 101, 0);          // first thing after the gap
        CounterSnapshot s = snap(40 * MS);
        assertThat(row(s, 0, 100).oncpuNs()).isEqualTo(2 * MS);
        assertThat(row(s, 0, 101).oncpuNs()).isEqualTo(5 * MS);
        assertThat(row(s, 0, 101).runs()).as("its switch-in was lost, not seen").isZero();
    }

    @Test
    void exitedTaskIsDroppedAfterTheSnapshotThatShowsItsLastSlice() {
        acct.onSwitch(10 * MS, 0, 0, 101);
        registry.onExit(101);
        acct.onSwitch(12 * MS, 0, 101, 0);
        assertThat(row(snap(20 * MS), 0, 101).oncpuNs()).isEqualTo(2 * MS);
        assertThat(row(snap(30 * MS), 0, 101)).isNull();
        assertThat(registry.task(101)).isNull();
    }

    @Test
    void startedRunningCountsFromTheExecThatMadeItWatched() {
        Proc p = registry.addProcess(400, "work", false);
        Task late = registry.addTask(p, 400, "work");
        acct.startedRunning(50 * MS, 1, late);
        acct.onSwitch(53 * MS, 1, 400, 0);
        CpuTaskCounters r = row(snap(60 * MS), 1, 400);
        assertThat(r.oncpuNs()).isEqualTo(3 * MS);
        assertThat(r.runs()).isZero();
        assertThat(acct.repairs()[1]).isZero();
    }

    @Test
    void splitAttributesTimeToWhatWasTrueThen() {
        acct.onSwitch(10 * MS, 0, 0, 100);
        acct.split(15 * MS, w);
        registry.onRename(100, "renamed");              // main thread renamed: no longer matches
        acct.onSwitch(20 * MS, 0, 100, 0);
        assertThat(row(snap(30 * MS), 0, 100).oncpuNs()).isEqualTo(5 * MS);
        assertThat(w.watched()).isFalse();
        assertThat(List.of(w2.watched())).containsExactly(false);
    }
}
