package org.proctap.stats;

import org.proctap.metric.Metric;
import org.proctap.metric.TestValues;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuTaskCounters;
import org.proctap.report.IntervalReport;

class IntervalAggregatorTest {
    private static CpuTaskCounters c(int cpu, int tid, long inc, long runs, long oncpu) {
        return new CpuTaskCounters(cpu, tid, inc, tid, "t" + tid, TestValues.of(runs, oncpu, runs, runs * 10));
    }

    private static CounterSnapshot snap(long ts, List<CpuTaskCounters> rows, long lost0, boolean fin) {
        return new CounterSnapshot(ts, rows, new long[] {lost0, 0}, new long[] {0, 0}, new long[] {0, 0}, fin,
                java.util.Set.copyOf(java.util.EnumSet.allOf(Metric.class)));
    }

    @Test
    void perIntervalRowsAreDifferencesAndIdleRowsDisappear() {
        IntervalAggregator agg = new IntervalAggregator(false, 0);
        IntervalReport first = agg.next(snap(100, List.of(c(0, 1, 1, 5, 50), c(1, 2, 2, 1, 10)), 0, false));
        assertThat(first.rows()).extracting(c -> c.get(Metric.RUNS)).containsExactly(5L, 1L);
        assertThat(first.startNs()).isZero();
        IntervalReport second = agg.next(snap(200, List.of(c(0, 1, 1, 7, 80), c(1, 2, 2, 1, 10)), 3, true));
        assertThat(second.rows()).hasSize(1);
        assertThat(second.rows().getFirst().get(Metric.RUNS)).isEqualTo(2);
        assertThat(second.rows().getFirst().get(Metric.ONCPU_NS)).isEqualTo(30);
        assertThat(second.startNs()).isEqualTo(100);
        assertThat(second.lostPerCpu()).containsExactly(3, 0);
        assertThat(second.fin()).isTrue();
        assertThat(second.index()).isEqualTo(2);
    }

    @Test
    void aRowWhoseOnlyChangeTheSourceDoesNotMeasureIsNotShown() {
        java.util.Set<Metric> noSleep = java.util.Set.copyOf(java.util.EnumSet.complementOf(
                java.util.EnumSet.of(Metric.SLEEP_NS, Metric.IO_NS)));
        CpuTaskCounters asleep = new CpuTaskCounters(0, 3, 3, 3, "t3",
                TestValues.with(TestValues.of(0, 0, 0, 0), Metric.SLEEP_NS, 1_000_000));
        IntervalAggregator agg = new IntervalAggregator(false, 0);
        IntervalReport hidden = agg.next(new CounterSnapshot(100, List.of(asleep), new long[] {0, 0}, new long[] {0, 0},
                new long[] {0, 0}, false, noSleep));
        assertThat(hidden.rows()).as("asleep all along, where sleep is not measured").isEmpty();
        IntervalAggregator bpf = new IntervalAggregator(false, 0);
        assertThat(bpf.next(snap(100, List.of(asleep), 0, false)).rows()).as("where it is").hasSize(1);
    }

    @Test
    void cumulativeKeepsTasksThatAreGone() {
        IntervalAggregator agg = new IntervalAggregator(true, 0);
        agg.next(snap(100, List.of(c(0, 1, 1, 5, 50), c(0, 2, 2, 1, 10)), 1, false));
        IntervalReport second = agg.next(snap(200, List.of(c(0, 1, 1, 6, 60)), 2, false));
        assertThat(second.rows()).extracting(CpuTaskCounters::tid).containsExactly(1, 2);
        assertThat(second.rows()).extracting(c -> c.get(Metric.RUNS)).containsExactly(6L, 1L);
        assertThat(second.startNs()).isZero();
        assertThat(second.lostPerCpu()).containsExactly(2, 0);
    }

    @Test
    void reusedPidIsANewRowNotANegativeDifference() {
        IntervalAggregator agg = new IntervalAggregator(false, 0);
        agg.next(snap(100, List.of(c(0, 7, 1, 9, 90)), 0, false));
        IntervalReport second = agg.next(snap(200, List.of(c(0, 7, 1, 9, 90), c(0, 7, 2, 1, 5)), 0, false));
        assertThat(second.rows()).singleElement().satisfies(r -> {
            assertThat(r.incarnation()).isEqualTo(2);
            assertThat(r.get(Metric.RUNS)).isEqualTo(1);
        });
    }

    @Test
    void aTotalThatComesBackLowerIsNotCountedTwice() {
        // a running slice estimated at 80, which the kernel's charge then put at 70, then 100
        IntervalAggregator agg = new IntervalAggregator(false, 0);
        long sum = 0;
        for (long oncpu : new long[] {80, 70, 100}) {
            IntervalReport r = agg.next(snap(oncpu, List.of(c(0, 1, 1, 1, oncpu)), 0, false));
            sum += r.rows().stream().mapToLong(c -> c.get(Metric.ONCPU_NS)).sum();
            assertThat(r.rows()).allSatisfy(row -> assertThat(row.get(Metric.ONCPU_NS)).isNotNegative());
        }
        assertThat(sum).as("the intervals add up to the last total").isEqualTo(100);
    }

    @Test
    void rowsAreOrderedByCpuThenTask() {
        IntervalAggregator agg = new IntervalAggregator(false, 0);
        IntervalReport r = agg.next(snap(1, List.of(c(1, 3, 3, 1, 1), c(0, 9, 9, 1, 1), c(0, 2, 2, 1, 1)), 0, false));
        assertThat(r.rows()).extracting(x -> x.cpu() + ":" + x.tid()).containsExactly("0:2", "0:9", "1:3");
    }

    @Test
    void theFinalTableSumsEachProcessOverItsThreadsCpusAndIntervals() {
        IntervalAggregator agg = new IntervalAggregator(false, 0);
        // process 10: its main thread 10 on CPU 0, a thread 11 named otherwise on both CPUs; 20 alone
        CpuTaskCounters main0 = new CpuTaskCounters(0, 10, 1, 10, "app", TestValues.of(1, 100, 0, 0));
        CpuTaskCounters worker0 = new CpuTaskCounters(0, 11, 2, 10, "app-worker", TestValues.of(2, 200, 0, 0));
        CpuTaskCounters worker1 = new CpuTaskCounters(1, 11, 2, 10, "app-worker", TestValues.of(3, 300, 0, 0));
        CpuTaskCounters other = new CpuTaskCounters(1, 20, 3, 20, "other", TestValues.of(1, 7, 0, 0));
        IntervalReport first = agg.next(snap(100, List.of(worker0, main0), 0, false));
        assertThat(first.processes()).as("only the final table has the summary").isEmpty();
        CpuTaskCounters main0Later = new CpuTaskCounters(0, 10, 1, 10, "app", TestValues.of(4, 1000, 0, 0));
        IntervalReport fin = agg.next(snap(200, List.of(main0Later, worker0, worker1, other), 0, true));
        assertThat(fin.processes()).extracting(p -> p.tgid() + " " + p.comm() + " " + p.get(Metric.ONCPU_NS)
                + " " + p.get(Metric.RUNS)).containsExactly("10 app 1500 9", "20 other 7 1");
    }

    private static CounterSnapshot partial(long ts, List<CpuTaskCounters> rows, java.util.Set<Long> retired) {
        return new CounterSnapshot(ts, rows, new long[] {0, 0}, new long[] {0, 0}, new long[] {0, 0}, false,
                java.util.Set.copyOf(java.util.EnumSet.allOf(Metric.class)), java.util.Map.of(), null, true, retired);
    }

    @Test
    void aRowAPartialSnapshotLeavesOutKeepsItsBaselineUntilRetired() {
        IntervalAggregator agg = new IntervalAggregator(false, 0);
        agg.next(partial(100, List.of(c(0, 1, 1, 5, 50), c(1, 1, 1, 2, 20), c(0, 2, 2, 1, 10)), java.util.Set.of()));
        // task 1's CPU 1 row and task 2 unchanged: left out, nothing to show for them
        IntervalReport second = agg.next(partial(200, List.of(c(0, 1, 1, 7, 80)), java.util.Set.of()));
        assertThat(second.rows()).extracting(r -> r.cpu() + "/" + r.tid() + " " + r.get(Metric.ONCPU_NS))
                .containsExactly("0/1 30");
        // back with more: only what was added since they were last shown, not their totals again
        IntervalReport third = agg.next(partial(300, List.of(c(1, 1, 1, 3, 25), c(0, 2, 2, 2, 15)), java.util.Set.of()));
        assertThat(third.rows()).extracting(r -> r.cpu() + "/" + r.tid() + " " + r.get(Metric.ONCPU_NS))
                .containsExactly("0/2 5", "1/1 5");
        // task 2 retired with its final totals: counted once, then its baselines are gone on every CPU
        IntervalReport fourth = agg.next(partial(400, List.of(c(0, 2, 2, 3, 18)), java.util.Set.of(2L)));
        assertThat(fourth.rows()).extracting(r -> r.tid() + " " + r.get(Metric.ONCPU_NS)).containsExactly("2 3");
        // the same tid and incarnation counted from zero again (an entry deleted, then made anew)
        IntervalReport fifth = agg.next(partial(500, List.of(c(0, 2, 2, 1, 4)), java.util.Set.of()));
        assertThat(fifth.rows()).extracting(r -> r.tid() + " " + r.get(Metric.ONCPU_NS)).containsExactly("2 4");
    }

    @Test
    void aFullSnapshotForgetsTheRowsItLeavesOut() {
        IntervalAggregator agg = new IntervalAggregator(false, 0);
        agg.next(snap(100, List.of(c(0, 1, 1, 5, 50)), 0, false));
        agg.next(snap(200, List.of(), 0, false));
        IntervalReport back = agg.next(snap(300, List.of(c(0, 1, 1, 6, 60)), 0, false));
        assertThat(back.rows()).extracting(r -> r.get(Metric.ONCPU_NS)).as("a new row: its totals").containsExactly(60L);
    }

    @Test
    void aProcessWhoseCountersAreGoneKeepsItsTotalsInTheSummary() {
        IntervalAggregator agg = new IntervalAggregator(false, 0);
        agg.next(snap(100, List.of(c(0, 5, 1, 2, 50)), 0, false));
        IntervalReport fin = agg.next(snap(200, List.of(), 0, true)); // exited, its counters deleted
        assertThat(fin.rows()).isEmpty();
        assertThat(fin.processes()).singleElement().satisfies(p -> assertThat(p.get(Metric.ONCPU_NS)).isEqualTo(50));
    }

    @Test
    void aHistogramsSlotsAreRunningTotalsSubtractedLikeCounters() {
        IntervalAggregator agg = new IntervalAggregator(false, 0);
        long[] first = TestValues.of(4, 100, 0, 0);
        first[Metric.SLICE_HIST.slot] = 1;
        first[Metric.SLICE_HIST.slot + 11] = 3;
        long[] second = first.clone();
        second[Metric.RUNS.slot] = 6;
        second[Metric.SLICE_HIST.slot + 11] = 5;
        second[Metric.SLICE_HIST.slot + 26] = 1;
        agg.next(snap(100, List.of(new CpuTaskCounters(0, 1, 1, 1, "t", first)), 0, false));
        IntervalReport r = agg.next(snap(200, List.of(new CpuTaskCounters(0, 1, 1, 1, "t", second)), 0, false));
        long[] slots = Metric.SLICE_HIST.slotsOf(r.rows().getFirst().values());
        long[] expected = new long[Metric.SLICE_HIST.slots];
        expected[11] = 2;
        expected[26] = 1;
        assertThat(slots).containsExactly(expected);
        assertThat(Metric.WAIT_HIST.slotsOf(r.rows().getFirst().values())).containsOnly(0L);
    }
}
