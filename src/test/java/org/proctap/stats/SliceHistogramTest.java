package org.proctap.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.proctap.metric.Metric;
import org.proctap.model.NameMatcher;
import org.proctap.model.Proc;
import org.proctap.model.TargetSpec;
import org.proctap.model.TaskRegistry;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuTaskCounters;

/** --hist slice from events: one count per counted switch-in, its slice as long as the kernel charged it. */
class SliceHistogramTest {
    private static final long MS = 1_000_000;
    private static final long US = 1_000;
    private static final long SLEEPING = 1;
    private TaskRegistry registry;

    @BeforeEach
    void setUp() {
        registry = new TaskRegistry(TargetSpec.byName(NameMatcher.of("work", false, false), false));
        Proc p = registry.addProcess(100, "work", false);
        registry.addTask(p, 100, "work");
        Proc other = registry.addProcess(200, "bash", false);
        registry.addTask(other, 200, "bash");
    }

    private static long[] slices(CounterSnapshot s, int cpu, int tid) {
        CpuTaskCounters r = s.counters().stream().filter(c -> c.cpu() == cpu && c.tid() == tid).findFirst()
                .orElseThrow();
        return Metric.SLICE_HIST.slotsOf(r.values());
    }

    @Test
    void eachSliceIsTheSumOfTheKernelsChargesBetweenItsSwitches() {
        SchedAccounting acct = new SchedAccounting(registry, 2, 0, Set.of(Metric.SLICE_HIST));
        // a slice of 3 ms charged in two parts (a tick, then the switch-out), and one of 1.5 us
        acct.onSwitch(10 * MS, 0, 0, 100, SLEEPING);
        acct.onRuntime(11 * MS, 0, 100, 100, 1 * MS);
        acct.onRuntime(13 * MS - 1, 0, 100, 100, 2 * MS);
        acct.onSwitch(13 * MS, 0, 100, 0, SLEEPING);
        acct.onSwitch(20 * MS, 0, 0, 100, SLEEPING);
        acct.onRuntime(20 * MS + 1500, 0, 100, 100, 1500);
        acct.onSwitch(20 * MS + 1501, 0, 100, 0, SLEEPING);
        CounterSnapshot s = acct.snapshot(30 * MS, false, new long[2]);
        long[] h = slices(s, 0, 100);
        assertThat(h[11]).as("3 ms: 2048..4095 us").isEqualTo(1);
        assertThat(h[0]).as("1.5 us: 0..1 us").isEqualTo(1);
        assertThat(java.util.Arrays.stream(h).sum()).isEqualTo(2);
        assertThat(s.measured()).contains(Metric.SLICE_HIST).doesNotContain(Metric.WAIT_HIST);
    }

    @Test
    void aSliceStillRunningIsNotCountedUntilItEndsAndATaskRunningAtStartNever() {
        SchedAccounting acct = new SchedAccounting(registry, 2, 0, Set.of(Metric.SLICE_HIST));
        acct.observe(1 * MS, 1, 100);                    // running at start: its switch-in unseen
        acct.onRuntime(2 * MS, 1, 100, 100, 2 * MS);
        acct.onSwitch(2 * MS + 1, 1, 100, 0, SLEEPING);
        acct.onSwitch(5 * MS, 0, 0, 100, SLEEPING);      // counted: runs 1
        acct.onRuntime(6 * MS, 0, 100, 100, 1 * MS);
        CounterSnapshot s = acct.snapshot(7 * MS, false, new long[2]);
        assertThat(slices(s, 1, 100)).containsOnly(0L);
        assertThat(slices(s, 0, 100)).containsOnly(0L);
        acct.onRuntime(8 * MS - 1, 0, 100, 100, 2 * MS);
        acct.onSwitch(8 * MS, 0, 100, 200, SLEEPING);
        long[] h = slices(acct.snapshot(9 * MS, false, new long[2]), 0, 100);
        assertThat(h[11]).isEqualTo(1);
    }

    @Test
    void aSliceEndedByASwitchNobodyReportedIsCountedOnceAsItsRunIs() {
        SchedAccounting acct = new SchedAccounting(registry, 2, 0, Set.of(Metric.SLICE_HIST));
        acct.onSwitch(10 * MS, 0, 0, 100, SLEEPING);
        acct.onRuntime(10 * MS + 40 * US, 0, 100, 100, 40 * US);
        acct.onTimerEntry(12 * MS, 0, 200);              // bash runs: w's switch-out was never reported
        acct.onSwitch(13 * MS, 0, 200, 100, SLEEPING);
        acct.onRuntime(13 * MS + 5 * US, 0, 100, 100, 5 * US);
        acct.onSwitch(13 * MS + 6 * US, 0, 100, 0, SLEEPING);
        CounterSnapshot s = acct.snapshot(20 * MS, false, new long[2]);
        long[] h = slices(s, 0, 100);
        assertThat(h[5]).as("40 us: 32..63").isEqualTo(1);
        assertThat(h[2]).as("5 us: 4..7").isEqualTo(1);
        CpuTaskCounters row = s.counters().stream().filter(c -> c.tid() == 100).findFirst().orElseThrow();
        assertThat(java.util.Arrays.stream(h).sum()).isEqualTo(row.get(Metric.RUNS));
    }

    @Test
    void withoutHistNothingIsBucketedAndNothingClaimsToBeMeasured() {
        SchedAccounting acct = new SchedAccounting(registry, 2, 0);
        acct.onSwitch(10 * MS, 0, 0, 100, SLEEPING);
        acct.onRuntime(13 * MS - 1, 0, 100, 100, 3 * MS);
        acct.onSwitch(13 * MS, 0, 100, 0, SLEEPING);
        CounterSnapshot s = acct.snapshot(20 * MS, false, new long[2]);
        assertThat(slices(s, 0, 100)).containsOnly(0L);
        assertThat(s.measured()).doesNotContain(Metric.SLICE_HIST, Metric.WAIT_HIST);
    }
}
