package org.proctap.exporter;

import org.proctap.testing.Rows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.proctap.testing.Rows.row;
import static org.proctap.testing.Rows.snap;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Log2Slots;
import org.proctap.metric.Metric;
import org.proctap.metric.Values;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuTaskCounters;

class FrameCollectorTest {
    private static final long S = 1_000_000_000L;

    private static FrameCollector collector(Frame f, MetricsBy by) {
        return new FrameCollector(() -> f, by, "1.2.3", "abc1234", () -> "bpf");
    }

    private static CpuTaskCounters busy() {
        long[] v = Values.zero();
        v[Metric.ONCPU_NS.slot] = 1_500_000_000L;
        v[Metric.WAIT_NS.slot] = 3_000_000L;
        v[Metric.PREEMPT.slot] = 7;
        v[Metric.VOL.slot] = 11;
        v[Metric.RUNS.slot] = 18;
        v[Metric.SOFTIRQ_COUNT_BY_KIND.slot + 3] = 2; // NET_RX
        v[Metric.WAIT_HIST.slot + 0] = 5; // 0-1 µs
        v[Metric.WAIT_HIST.slot + 10] = 3; // 1024-2047 µs
        v[Metric.WAIT_HIST.slot + Log2Slots.COUNT - 1] = 1; // >= 67 s
        return new CpuTaskCounters(1, 42, 1, 40, "my \"app\"", v);
    }

    @Test
    void textFormatReadsBackAsTheFigures() {
        SeriesTable t = new SeriesTable(MetricsBy.COMM, 10);
        Frame f = t.next(snap(S, busy()), 1_700_000_000_123L);
        Exposition e = Exposition.text(collector(f, MetricsBy.COMM).collect());
        String[] l = {"comm", "my \\\"app\\\"", "cpu", "1"};
        assertThat(e.get("proctap_oncpu_seconds_total", l)).isEqualTo(1.5);
        assertThat(e.get("proctap_wait_seconds_total", l)).isEqualTo(0.003);
        assertThat(e.get("proctap_runs_total", l)).isEqualTo(18);
        assertThat(e.get("proctap_switches_total", "comm", l[1], "cpu", "1", "kind", "involuntary")).isEqualTo(7);
        assertThat(e.get("proctap_switches_total", "comm", l[1], "cpu", "1", "kind", "voluntary")).isEqualTo(11);
        assertThat(e.get("proctap_softirq_vector_total", "comm", l[1], "cpu", "1", "vector", "NET_RX")).isEqualTo(2);
        assertThat(e.get("proctap_softirq_vector_total", "comm", l[1], "cpu", "1", "vector", "TIMER"))
                .as("a vector that never ran has no series").isNull();
        assertThat(e.get("proctap_build_info", "version", "1.2.3", "commit", "abc1234", "backend", "bpf")).isEqualTo(1);
        assertThat(e.get("proctap_label_sets")).isEqualTo(1);
        assertThat(e.get("proctap_snapshot_timestamp_seconds")).isCloseTo(1_700_000_000.123, within(1e-3));
        assertThat(e.types()).containsEntry("proctap_oncpu_seconds_total", "counter")
                .containsEntry("proctap_wait_duration_seconds", "histogram");
        assertThat(e.names()).allMatch(n -> n.matches("proctap_[a-z_]+"));
    }

    @Test
    void underCgroupEverySeriesCarriesItsProcesssCgroupPath() {
        CounterSnapshot snap = new CounterSnapshot(S, List.of(Rows.row(0, 10, 1, 10, "web", 2 * S, 4),
                Rows.row(0, 20, 2, 20, "db", S, 1)), new long[] {0, 0}, new long[] {0, 0}, new long[] {0, 0}, false,
                Rows.ALL, Map.of(10, "/shop/web", 20, "/shop/db"));
        Frame f = new SeriesTable(MetricsBy.COMM, 10).next(snap, 0);
        Exposition e = Exposition.text(collector(f, MetricsBy.COMM).collect());
        assertThat(e.get("proctap_oncpu_seconds_total", "comm", "web", "cpu", "0", "cgroup", "/shop/web")).isEqualTo(2.0);
        assertThat(e.get("proctap_oncpu_seconds_total", "comm", "db", "cpu", "0", "cgroup", "/shop/db")).isEqualTo(1.0);
    }

    @Test
    void theWaitHistogramsBucketsAreCumulativeLog2BoundsInSeconds() {
        Frame f = new SeriesTable(MetricsBy.COMM, 10).next(snap(S, busy()), 0);
        Exposition e = Exposition.text(collector(f, MetricsBy.COMM).collect());
        String c = "my \\\"app\\\"";
        assertThat(e.get("proctap_wait_duration_seconds_bucket", "comm", c, "cpu", "1", "le", "2.0E-6")).isEqualTo(5);
        assertThat(e.get("proctap_wait_duration_seconds_bucket", "comm", c, "cpu", "1", "le", "0.001024")).isEqualTo(5);
        assertThat(e.get("proctap_wait_duration_seconds_bucket", "comm", c, "cpu", "1", "le", "0.002048")).isEqualTo(8);
        assertThat(e.get("proctap_wait_duration_seconds_bucket", "comm", c, "cpu", "1", "le", "+Inf")).isEqualTo(9);
        assertThat(e.get("proctap_wait_duration_seconds_count", "comm", c, "cpu", "1")).isEqualTo(9);
        assertThat(e.get("proctap_wait_duration_seconds_sum", "comm", c, "cpu", "1")).isEqualTo(0.003);
        assertThat(e.samples().keySet().stream().filter(k -> k.startsWith("proctap_wait_duration_seconds_bucket")))
                .hasSize(Log2Slots.COUNT);
    }

    @Test
    void whatTheSourceDoesNotMeasureIsNotExportedAtAll() {
        Set<Metric> tracefsLike = Set.copyOf(EnumSet.complementOf(EnumSet.of(Metric.WAIT_HIST, Metric.SLICE_HIST,
                Metric.STEAL_NS, Metric.SLEEP_NS)));
        Frame f = new SeriesTable(MetricsBy.COMM, 10).next(snap(S, tracefsLike, busy()), 0);
        Exposition e = Exposition.text(collector(f, MetricsBy.COMM).collect());
        assertThat(e.names()).doesNotContain("proctap_steal_seconds_total", "proctap_sleep_seconds_total",
                "proctap_wait_duration_seconds_bucket", "proctap_slice_duration_seconds_bucket")
                .contains("proctap_oncpu_seconds_total", "proctap_io_seconds_total");
        assertThat(e.text()).doesNotContain("steal");
    }

    @Test
    void beforeTheFirstSnapshotOnlyProctapsOwnMetrics() {
        Exposition e = Exposition.text(collector(Frame.EMPTY, MetricsBy.COMM).collect());
        assertThat(e.names()).containsExactlyInAnyOrder("proctap_build_info", "proctap_series_dropped_total",
                "proctap_label_sets");
    }

    @Test
    void pidAndTidLabelsAndTheOverflowSeriesWithoutThem() {
        SeriesTable t = new SeriesTable(MetricsBy.TID, 1);
        Frame f = t.next(snap(S, row(0, 11, 1, 10, "a", 100, 1), row(0, 12, 2, 10, "a", 50, 1)), 0);
        Exposition e = Exposition.text(collector(f, MetricsBy.TID).collect());
        assertThat(e.get("proctap_oncpu_seconds_total", "comm", "a", "cpu", "0", "pid", "10", "tid", "11"))
                .isEqualTo(1e-7);
        // an empty label is no label (Prometheus stores it so)
        assertThat(e.get("proctap_oncpu_seconds_total", "comm", "", "cpu", "0", "pid", "", "tid", "")).isEqualTo(5e-8);
        assertThat(e.get("proctap_series_dropped_total")).isEqualTo(1);
    }

    @Test
    void lostEventsPerCpu() {
        CounterSnapshot s = new CounterSnapshot(S, List.of(), new long[] {0, 17}, new long[2], new long[2], false,
                Rows.ALL);
        Frame f = new SeriesTable(MetricsBy.COMM, 10).next(s, 0);
        Exposition e = Exposition.text(collector(f, MetricsBy.COMM).collect());
        assertThat(e.get("proctap_lost_events_total", "cpu", "0")).isEqualTo(0);
        assertThat(e.get("proctap_lost_events_total", "cpu", "1")).isEqualTo(17);
    }

    @Test
    void openMetricsHasTheSameSamplesAndEndsWithEof() {
        Frame f = new SeriesTable(MetricsBy.COMM, 10).next(snap(S, busy()), 1_000);
        FrameCollector c = collector(f, MetricsBy.COMM);
        Exposition om = Exposition.openMetrics(c.collect());
        Exposition text = Exposition.text(c.collect());
        assertThat(om.text()).endsWith("# EOF\n").contains("# UNIT proctap_oncpu_seconds seconds");
        String[] l = {"comm", "my \\\"app\\\"", "cpu", "1"};
        for (String name : List.of("proctap_oncpu_seconds_total", "proctap_wait_seconds_total", "proctap_runs_total",
                "proctap_wait_duration_seconds_count", "proctap_wait_duration_seconds_sum")) {
            assertThat(om.get(name, l)).as(name).isNotNull().isEqualTo(text.get(name, l));
        }
        assertThat(text.names()).containsAll(om.names());
    }

    @Test
    void everyNameAScrapeCanShowIsListed() {
        Frame f = new SeriesTable(MetricsBy.COMM, 10).next(snap(S, busy()), 1_000);
        Exposition e = Exposition.text(collector(f, MetricsBy.COMM).collect());
        assertThat(FrameCollector.exportedNames()).containsAll(e.names());
    }
}
