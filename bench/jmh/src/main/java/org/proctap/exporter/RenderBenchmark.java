package org.proctap.exporter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.proctap.metric.Log2Slots;
import org.proctap.metric.Metric;
import org.proctap.metric.Values;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuTaskCounters;

/**
 * One render of /metrics as a scrape makes it: {@link FrameCollector#collect} of a frame that
 * {@link SeriesTable} made from one snapshot, written by the Prometheus client's text or
 * OpenMetrics writer into memory (what the scrape handler does before the bytes go out). The
 * frame has about {@code series} series: label sets of comm × cpu (or of comm, cpu and pid),
 * each as busy as a task that ran, slept, waited, migrated and took two softirq vectors, with a
 * few buckets of both histograms. Setup prints the series and bytes of one render ("# render: BY
 * FORMAT SERIES: ..."), for ns and bytes per series (bench/exporter-render).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RenderBenchmark {
    private static final int CPUS = 4;

    /** About this many series in a render (the label sets are sized to come closest). */
    @Param({"1000", "10000", "50000"})
    public int series;

    /** COMM: label sets comm × cpu; PID: comm, cpu and pid. */
    @Param({"COMM", "PID"})
    public MetricsBy by;

    @Param({"text", "openmetrics"})
    public String format;

    private FrameCollector collector;
    private ExpositionFormatWriter writer;
    private int size;

    @Setup
    public void setUp() throws IOException {
        writer = format.equals("text") ? PrometheusTextFormatWriter.create() : OpenMetricsTextFormatWriter.create();
        // a label set's series: two sets less one (proctap's own few series are in both)
        int perSet = countSeries(render(collector(2))) - countSeries(render(collector(1)));
        collector = collector(Math.max(1, Math.round((float) series / perSet)));
        byte[] once = render(collector);
        size = once.length;
        int n = countSeries(once);
        System.out.printf("%n# render: %s %s %d: %d series %d bytes %.1f bytes/series%n", by, format, series, n,
                size, (double) size / n);
    }

    @Benchmark
    public int render() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 1024);
        writer.write(out, collector.collect());
        return out.size();
    }

    private byte[] render(FrameCollector c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, c.collect());
        return out.toByteArray();
    }

    /** Sample lines: every line but the comments (# TYPE, # HELP, # UNIT, # EOF). */
    private static int countSeries(byte[] text) {
        int n = 0;
        for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                n++;
            }
        }
        return n;
    }

    private FrameCollector collector(int labelSets) {
        List<CpuTaskCounters> rows = new ArrayList<>(labelSets);
        for (int i = 0; i < labelSets; i++) {
            int cpu = i % CPUS;
            // COMM: one name on every CPU, so label sets / CPUS names; PID: a pid per label set
            int pid = by == MetricsBy.COMM ? 1000 + i / CPUS : 1000 + i;
            rows.add(new CpuTaskCounters(cpu, pid, pid, pid, "worker-" + (1000 + i / CPUS), busy(i)));
        }
        Set<Metric> measured = Set.copyOf(EnumSet.allOf(Metric.class));
        CounterSnapshot snap = new CounterSnapshot(1_000_000_000L, rows, new long[CPUS], new long[CPUS],
                new long[CPUS], false, measured);
        Frame frame = new SeriesTable(by, labelSets).next(snap, 1_700_000_000_000L);
        return new FrameCollector(() -> frame, by, "bench", "0000000", () -> "bpf");
    }

    /** Running totals of a task that did a bit of everything; differs by {@code i}. */
    private static long[] busy(int i) {
        long[] v = Values.zero();
        v[Metric.RUNS.slot] = 1000 + i;
        v[Metric.ONCPU_NS.slot] = 1_234_567_890L + i;
        v[Metric.WAIT_NS.slot] = 3_456_789L + i;
        v[Metric.SLEEP_NS.slot] = 9_876_543_210L + i;
        v[Metric.IO_NS.slot] = 12_345_678L + i;
        v[Metric.STEAL_NS.slot] = 1_000L + i;
        v[Metric.PREEMPT.slot] = 70 + i;
        v[Metric.VOL.slot] = 930 + i;
        v[Metric.MIGR.slot] = 5 + i;
        v[Metric.TIMER_NS.slot] = 456_789L + i;
        v[Metric.TIMER_COUNT.slot] = 250 + i;
        v[Metric.IRQ_NS.slot] = 23_456L + i;
        v[Metric.IRQ_COUNT.slot] = 12 + i;
        v[Metric.SOFTIRQ_NS.slot] = 34_567L + i;
        v[Metric.SOFTIRQ_COUNT.slot] = 40 + i;
        v[Metric.SOFTIRQ_NS_BY_KIND.slot + 1] = 20_000L + i; // TIMER
        v[Metric.SOFTIRQ_NS_BY_KIND.slot + 3] = 14_567L; // NET_RX
        v[Metric.SOFTIRQ_COUNT_BY_KIND.slot + 1] = 25 + i;
        v[Metric.SOFTIRQ_COUNT_BY_KIND.slot + 3] = 15;
        for (int b = 0; b < Log2Slots.COUNT; b += 4) {
            v[Metric.WAIT_HIST.slot + b] = 100 + i + b;
            v[Metric.SLICE_HIST.slot + b] = 50 + i + b;
        }
        return v;
    }
}
