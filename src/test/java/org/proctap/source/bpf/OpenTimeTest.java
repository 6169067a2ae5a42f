package org.proctap.source.bpf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Metric;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a table shows of the time the program has not charged yet, from the counters' open
 * switch-out, the task iterator and cpu_state: each case against what the program will charge
 * later, so that nothing is counted twice (a table never shows less than an earlier one).
 */
class OpenTimeTest {
    static final int TID = 42;
    static final int S = 0x1;
    static final int D = 0x2;

    record Add(int cpu, Metric m, long ns) {
    }

    private static List<Add> run(OpenTime.Off off, OpenTime.Running running, TaskNow now, long at, boolean atFirst) {
        List<Add> out = new ArrayList<>();
        OpenTime.add(Map.of(TID, off), running == null ? Map.of() : Map.of(TID, running),
                now == null ? Map.of() : Map.of(TID, now), at, atFirst, (tid, cpu, m, ns) -> {
                    assertThat(tid).isEqualTo(TID);
                    if (ns > 0) {
                        out.add(new Add(cpu, m, ns));
                    }
                });
        return out;
    }

    private static TaskNow asleep(long seen, long outTs) {
        return new TaskNow(TID, 0, false, false, seen, outTs, 0, 0, 0);
    }

    @Test
    void asleepWhenSeenIsAsleepUpToTheTable() {
        assertThat(run(new OpenTime.Off(1, 100, S), null, asleep(1_010, 100), 1_000, true))
                .containsExactly(new Add(1, Metric.SLEEP_NS, 900));
        assertThat(run(new OpenTime.Off(1, 100, D), null, asleep(1_010, 100), 1_000, true))
                .containsExactly(new Add(1, Metric.IO_NS, 900));
    }

    @Test
    void wokenAndStillWaitingIsAsleepUpToItsWakeUpAndWaitsOnTheCpuItWaitsFor() {
        TaskNow waiting = new TaskNow(TID, 0, true, true, 1_010, 100, 0, 700, 0);
        assertThat(run(new OpenTime.Off(1, 100, S), null, waiting, 1_000, true))
                .containsExactly(new Add(1, Metric.SLEEP_NS, 600), new Add(0, Metric.WAIT_NS, 300));
    }

    @Test
    void wokenAfterTheTableIsAsleepAllOfIt() {
        TaskNow waiting = new TaskNow(TID, 0, true, true, 1_010, 100, 0, 1_005, 0);
        assertThat(run(new OpenTime.Off(1, 100, S), null, waiting, 1_000, true))
                .containsExactly(new Add(1, Metric.SLEEP_NS, 900));
    }

    @Test
    void runningNowSleptUpToTheWaitBeforeItsSliceAndWaitedThen() {
        // the slice (from 800) itself is cpu_state's, added by the caller
        TaskNow running = new TaskNow(TID, 0, true, false, 1_010, 100, 150, 0, 800);
        assertThat(run(new OpenTime.Off(1, 100, S), new OpenTime.Running(0, 800), running, 1_000, true))
                .containsExactly(new Add(1, Metric.SLEEP_NS, 550), new Add(0, Metric.WAIT_NS, 150));
    }

    @Test
    void runningWithoutTheProgramKnowingIsShownAsItsRepairWillChargeIt() {
        // a switch-in that fired no tracepoint: cpu_state still shows another task
        TaskNow running = new TaskNow(TID, 0, true, false, 1_010, 100, 150, 0, 800);
        assertThat(run(new OpenTime.Off(1, 100, D), null, running, 1_000, true)).containsExactly(
                new Add(1, Metric.IO_NS, 550), new Add(0, Metric.WAIT_NS, 150), new Add(0, Metric.ONCPU_NS, 200));
    }

    @Test
    void aSliceThatBeganAfterTheTableLeavesTheRestToTheIteratorsView() {
        // waiting when seen, switched in at 1_020 (after the table): waiting up to the table only
        TaskNow waiting = new TaskNow(TID, 0, true, true, 1_010, 100, 0, 700, 0);
        assertThat(run(new OpenTime.Off(1, 100, S), new OpenTime.Running(0, 1_020), waiting, 1_000, true))
                .containsExactly(new Add(1, Metric.SLEEP_NS, 600), new Add(0, Metric.WAIT_NS, 300));
    }

    @Test
    void preemptedWaitsOnTheCpuItRunsOnOrWaitsFor() {
        assertThat(run(new OpenTime.Off(1, 100, 0), new OpenTime.Running(0, 600),
                new TaskNow(TID, 0, true, false, 1_010, 100, 500, 0, 600), 1_000, true))
                .containsExactly(new Add(0, Metric.WAIT_NS, 500));
        assertThat(run(new OpenTime.Off(1, 100, 0), null,
                new TaskNow(TID, 0, true, true, 1_010, 100, 0, 100, 0), 1_000, true))
                .containsExactly(new Add(0, Metric.WAIT_NS, 900));
    }

    @Test
    void aTaskThatSwitchedOutSinceTheIteratorLookedHasAllOfItInTheCounters() {
        // the counters' switch-out (1_005) is newer than the one the iterator saw (100)
        assertThat(run(new OpenTime.Off(1, 1_005, S), null, asleep(1_010, 100), 1_000, true)).isEmpty();
    }

    @Test
    void theLastTableFallsBackToTheStateAtTheSwitchOutUpToTheStop() {
        // iterator read before the stop, counters after: a switch-out between is counted to the stop
        assertThat(run(new OpenTime.Off(1, 900, D), null, asleep(800, 100), 1_000, false))
                .containsExactly(new Add(1, Metric.IO_NS, 100));
        // and what the iterator saw before the stop holds up to it
        assertThat(run(new OpenTime.Off(1, 100, S), null, asleep(990, 100), 1_000, false))
                .containsExactly(new Add(1, Metric.SLEEP_NS, 900));
    }

    @Test
    void withoutAnIteratorTheStateAtTheSwitchOutSays() {
        assertThat(run(new OpenTime.Off(1, 100, S), null, null, 1_000, true))
                .containsExactly(new Add(1, Metric.SLEEP_NS, 900));
        assertThat(run(new OpenTime.Off(1, 100, 0), new OpenTime.Running(0, 400), null, 1_000, true))
                .containsExactly(new Add(0, Metric.WAIT_NS, 300));
    }

    @Test
    void preemptedWaitsAsleepSleepsBlockedIsIoIdleKthreadSleepsDeadIsNothing() {
        assertThat(OpenTime.metric(0)).isEqualTo(Metric.WAIT_NS);
        assertThat(OpenTime.metric(0x1)).isEqualTo(Metric.SLEEP_NS);     // S
        assertThat(OpenTime.metric(0x2)).isEqualTo(Metric.IO_NS);        // D
        assertThat(OpenTime.metric(0x402)).isEqualTo(Metric.SLEEP_NS);   // TASK_IDLE (I)
        assertThat(OpenTime.metric(0x4)).isEqualTo(Metric.SLEEP_NS);     // stopped (T)
        assertThat(OpenTime.metric(0x80)).isNull();                       // dead (X)
    }

    @Test
    void aDeadTaskHasNoTimeOff() {
        assertThat(run(new OpenTime.Off(1, 100, 0x80), null, asleep(1_010, 100), 1_000, true)).isEmpty();
    }
}
