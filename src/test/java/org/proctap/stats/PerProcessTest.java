package org.proctap.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Metric;
import org.proctap.metric.TestValues;
import org.proctap.metric.Values;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuProcessCounters;
import org.proctap.report.CpuTaskCounters;
import org.proctap.report.IntervalReport;
import org.proctap.report.ProcessSummary;

class PerProcessTest {
    private static final Set<Metric> ALL = Set.copyOf(EnumSet.allOf(Metric.class));

    /** Slot i holds {@code base + i}: a sum that mixed up or skipped a slot shows. */
    private static long[] distinct(long base) {
        long[] v = Values.zero();
        for (int i = 0; i < v.length; i++) {
            v[i] = base + i;
        }
        return v;
    }

    private static IntervalReport report(List<CpuTaskCounters> rows, Set<Metric> measured, Map<Integer, String> names) {
        return new IntervalReport(3, 100, 200, rows, new long[] {0, 2}, new long[] {1, 0}, new long[] {5, 0}, false,
                false, measured, List.of(), names, null);
    }

    @Test
    void theThreadsOfAProcessOnACpuAreSummedSlotBySlot() {
        CpuTaskCounters main = new CpuTaskCounters(0, 10, 1, 10, "app", distinct(1000));
        CpuTaskCounters worker = new CpuTaskCounters(0, 11, 2, 10, "app-worker", distinct(20));
        CpuTaskCounters third = new CpuTaskCounters(0, 12, 3, 10, "app-io", distinct(300));
        IntervalReport r = PerProcess.of(report(List.of(main, worker, third), ALL, Map.of(10, "app")));
        assertThat(r.perProcess()).isTrue();
        assertThat(r.processRows()).singleElement().satisfies(p -> {
            assertThat(p.cpu()).isZero();
            assertThat(p.tgid()).isEqualTo(10);
            assertThat(p.comm()).isEqualTo("app");
            assertThat(p.threads()).isEqualTo(3);
            for (int i = 0; i < Metric.SLOTS; i++) {
                assertThat(p.values()[i]).as("slot %d", i).isEqualTo(1320 + 3L * i);
            }
        });
    }

    @Test
    void eachCpuHasItsOwnRowPerProcessWithTheThreadsThatRanThere() {
        CpuTaskCounters main0 = new CpuTaskCounters(0, 10, 1, 10, "app", TestValues.of(1, 100, 0, 0));
        CpuTaskCounters worker0 = new CpuTaskCounters(0, 11, 2, 10, "w", TestValues.of(2, 200, 1, 50));
        CpuTaskCounters worker1 = new CpuTaskCounters(1, 11, 2, 10, "w", TestValues.of(3, 300, 0, 0));
        CpuTaskCounters other1 = new CpuTaskCounters(1, 20, 4, 20, "other", TestValues.of(1, 7, 0, 0));
        CpuTaskCounters other0 = new CpuTaskCounters(0, 21, 5, 20, "other", TestValues.of(4, 9, 0, 0));
        IntervalReport r = PerProcess.of(report(List.of(main0, worker0, other0, worker1, other1), ALL,
                Map.of(10, "app", 20, "other")));
        assertThat(r.processRows()).extracting(p -> p.cpu() + ":" + p.tgid() + " " + p.comm() + " threads="
                + p.threads() + " run=" + p.get(Metric.RUNS) + " oncpu=" + p.get(Metric.ONCPU_NS)
                + " timer_ns=" + p.get(Metric.TIMER_NS))
                .containsExactly("0:10 app threads=2 run=3 oncpu=300 timer_ns=50",
                        "0:20 other threads=1 run=4 oncpu=9 timer_ns=0",
                        "1:10 app threads=1 run=3 oncpu=300 timer_ns=0",
                        "1:20 other threads=1 run=1 oncpu=7 timer_ns=0");
    }

    @Test
    void aProcessOfOneThreadIsThatThreadsRow() {
        long[] v = distinct(7);
        IntervalReport r = PerProcess.of(report(List.of(new CpuTaskCounters(1, 42, 9, 42, "solo", v)), ALL,
                Map.of(42, "solo")));
        assertThat(r.processRows()).containsExactly(new CpuProcessCounters(1, 42, "solo", 1, v));
    }

    @Test
    void whatTheSourceDoesNotMeasureStaysUnmeasuredAndTheRestOfTheReportIsKept() {
        Set<Metric> measured = Set.of(Metric.RUNS, Metric.ONCPU_NS, Metric.TIMER_NS, Metric.TIMER_COUNT);
        List<CpuTaskCounters> rows = List.of(new CpuTaskCounters(0, 10, 1, 10, "app", TestValues.of(1, 2, 3, 4)),
                new CpuTaskCounters(0, 11, 2, 10, "app", TestValues.of(1, 2, 3, 4)));
        IntervalReport before = new IntervalReport(3, 100, 200, rows, new long[] {0, 2}, new long[] {1, 0},
                new long[] {5, 0}, true, true, measured,
                List.of(new ProcessSummary(10, "app", TestValues.of(2, 4, 6, 8))), Map.of(10, "app"), null);
        IntervalReport after = PerProcess.of(before);
        assertThat(after.measured()).isEqualTo(measured);
        assertThat(after.processRows()).singleElement().satisfies(p -> {
            assertThat(p.get(Metric.WAIT_NS)).isZero();
            assertThat(p.get(Metric.VOL)).isZero();
        });
        assertThat(after.rows()).isEqualTo(rows);
        assertThat(after.processes()).isEqualTo(before.processes());
        assertThat(after.lostPerCpu()).containsExactly(0, 2);
        assertThat(after.repairsPerCpu()).containsExactly(1, 0);
        assertThat(after.repairedNsPerCpu()).containsExactly(5, 0);
        assertThat(List.of(after.index(), after.startNs(), after.endNs(), after.fin(), after.cumulative()))
                .containsExactly(3, 100L, 200L, true, true);
    }

    @Test
    void theProcessIsNamedAfterItsMainThreadEvenWhenOnlyOtherThreadsRan() {
        // the main thread (10, "java") sleeps this interval; its workers renamed themselves
        List<CpuTaskCounters> rows = List.of(new CpuTaskCounters(0, 11, 2, 10, "C2 CompilerThre", TestValues.of(1, 5, 0, 0)),
                new CpuTaskCounters(0, 12, 3, 10, "GC Thread#0", TestValues.of(1, 5, 0, 0)));
        assertThat(PerProcess.of(report(rows, ALL, Map.of(10, "java"))).processRows())
                .extracting(CpuProcessCounters::comm).containsExactly("java");
        assertThat(PerProcess.of(report(rows, ALL, Map.of())).processRows()).as("no name known: a thread's")
                .extracting(CpuProcessCounters::comm).containsExactly("C2 CompilerThre");
    }

    @Test
    void anEmptyTableHasNoProcessRowsButIsStillShownPerProcess() {
        IntervalReport r = PerProcess.of(report(List.of(), ALL, Map.of()));
        assertThat(r.perProcess()).isTrue();
        assertThat(r.processRows()).isEmpty();
    }

    @Test
    void theAggregatorNamesEveryProcessAfterItsMainThreadInEveryTable() {
        IntervalAggregator agg = new IntervalAggregator(false, 0);
        CpuTaskCounters main = new CpuTaskCounters(0, 10, 1, 10, "java", TestValues.of(1, 100, 0, 0));
        CpuTaskCounters worker = new CpuTaskCounters(1, 11, 2, 10, "GC Thread#0", TestValues.of(1, 100, 0, 0));
        agg.next(new CounterSnapshot(100, List.of(worker, main), new long[2], new long[2], new long[2], false, ALL));
        CpuTaskCounters workerLater = new CpuTaskCounters(1, 11, 2, 10, "GC Thread#0", TestValues.of(2, 300, 0, 0));
        IntervalReport second = agg.next(new CounterSnapshot(200, List.of(workerLater, main), new long[2], new long[2],
                new long[2], false, ALL));
        assertThat(second.rows()).extracting(CpuTaskCounters::tid).containsExactly(11);
        assertThat(PerProcess.of(second).processRows()).singleElement()
                .satisfies(p -> assertThat(p.comm() + " " + p.threads() + " " + p.get(Metric.ONCPU_NS))
                        .isEqualTo("java 1 200"));
    }
}
