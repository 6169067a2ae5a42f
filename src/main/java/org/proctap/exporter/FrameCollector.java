package org.proctap.exporter;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;

import org.proctap.metric.Log2Slots;
import org.proctap.metric.Metric;

/**
 * Renders the current {@link Frame} for the Prometheus client, which writes it in the text or the
 * OpenMetrics format as the scraper asks. Runs on the HTTP server's threads; reads one frame
 * reference per scrape, so what one scrape shows is of one snapshot.
 */
final class FrameCollector implements MultiCollector {
    static final String LOST = "proctap_lost_events";
    static final String BUILD = "proctap_build";
    static final String DROPPED = "proctap_series_dropped";
    static final String LABEL_SETS = "proctap_label_sets";
    static final String SNAPSHOT_TIME = "proctap_snapshot_timestamp_seconds";

    /** Every name a scrape can show (as Prometheus stores them), for the dashboard's test. */
    static List<String> exportedNames() {
        List<String> names = new ArrayList<>();
        for (Family f : Family.ALL) {
            names.addAll(f.seriesNames());
        }
        names.addAll(List.of(LOST + "_total", BUILD + "_info", DROPPED + "_total", LABEL_SETS, SNAPSHOT_TIME));
        return names;
    }

    private final Supplier<Frame> frame;
    private final MetricsBy by;
    private final String version;
    private final String commit;
    private final Supplier<String> backend;

    /** version, commit, backend: proctap_build_info's labels (the backend asked at each scrape) */
    FrameCollector(Supplier<Frame> frame, MetricsBy by, String version, String commit, Supplier<String> backend) {
        this.frame = frame;
        this.by = by;
        this.version = version;
        this.commit = commit;
        this.backend = backend;
    }

    @Override
    public MetricSnapshots collect() {
        Frame f = frame.get();
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        List<Labels> labels = new ArrayList<>(f.series().size());
        for (Frame.Series s : f.series()) {
            labels.add(Labels.of(s.labels().names(by), s.labels().values(by)));
        }
        for (Family family : Family.ALL) {
            MetricSnapshot m = switch (family.type()) {
                case COUNTER -> counter(family, f, labels);
                case HISTOGRAM -> histogram(family, f, labels);
            };
            if (m != null) {
                out.metricSnapshot(m);
            }
        }
        if (f.lostPerCpu().length > 0) {
            CounterSnapshot.Builder lost = CounterSnapshot.builder().name(LOST)
                    .help("events the kernel could not hand to proctap (ring buffer full): figures are short by them");
            for (int cpu = 0; cpu < f.lostPerCpu().length; cpu++) {
                lost.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                        .labels(Labels.of("cpu", Integer.toString(cpu))).value(f.lostPerCpu()[cpu]).build());
            }
            out.metricSnapshot(lost.build());
        }
        out.metricSnapshot(InfoSnapshot.builder().name(BUILD).help("proctap's version and event source")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
                        .labels(Labels.of("version", version, "commit", commit, "backend", backend.get())).build())
                .build());
        out.metricSnapshot(CounterSnapshot.builder().name(DROPPED)
                .help("label sets over --max-series, counted into the overflow series of their CPU instead")
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(f.dropped()).build()).build());
        out.metricSnapshot(GaugeSnapshot.builder().name(LABEL_SETS)
                .help("label sets exported now (each is one series of every metric above)")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(f.series().size()).build()).build());
        if (f.wallMillis() > 0) {
            out.metricSnapshot(GaugeSnapshot.builder().name(SNAPSHOT_TIME).unit(Unit.SECONDS)
                    .help("when the figures shown were read from the kernel (Unix time): a scrape shows the latest")
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(f.wallMillis() / 1e3).build())
                    .build());
        }
        return out.build();
    }

    /** A counter family: one data point per label set and part; null when nothing is measured. */
    private static CounterSnapshot counter(Family family, Frame f, List<Labels> labels) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(family.name()).help(family.help());
        if (family.seconds()) {
            b.unit(Unit.SECONDS);
        }
        boolean any = false;
        for (Family.Part part : family.parts()) {
            Metric m = part.metric();
            if (!f.measured().contains(m)) {
                continue; // not measured: not exported, never a 0 that looks measured
            }
            any = true;
            for (int i = 0; i < f.series().size(); i++) {
                long[] v = f.series().get(i).totals();
                Labels l = part.label() != null ? labels.get(i).add(part.label(), part.value()) : labels.get(i);
                if (family.kindLabel() == null) {
                    b.dataPoint(point(l, value(family, m.of(v))));
                    continue;
                }
                for (int k = 0; k < m.slots; k++) {
                    if (m.of(v, k) != 0) { // (ten vectors: only those that ran, for the series count)
                        b.dataPoint(point(l.add(family.kindLabel(), m.kinds.get(k)), value(family, m.of(v, k))));
                    }
                }
            }
        }
        return any ? b.build() : null;
    }

    private static CounterSnapshot.CounterDataPointSnapshot point(Labels labels, double value) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static double value(Family family, long v) {
        return family.seconds() ? v / 1e9 : v;
    }

    /**
     * A log2 histogram (wait or slice lengths): slot i holds lengths of whole microseconds in
     * [2^i, 2^(i+1)), so its upper bound is 2^(i+1) µs; the last slot is +Inf. Its sum is the
     * schema's own total of the same lengths where there is one (waits: wait_ns), else none.
     */
    private static HistogramSnapshot histogram(Family family, Frame f, List<Labels> labels) {
        Metric m = family.parts().getFirst().metric();
        if (!f.measured().contains(m)) {
            return null;
        }
        Metric sum = m == Metric.WAIT_HIST && f.measured().contains(Metric.WAIT_NS) ? Metric.WAIT_NS : null;
        double[] bounds = new double[m.slots];
        for (int i = 0; i < m.slots; i++) {
            bounds[i] = i == m.slots - 1 ? Double.POSITIVE_INFINITY : (Log2Slots.high(i) + 1) / 1e6;
        }
        HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(family.name()).help(family.help())
                .unit(Unit.SECONDS);
        for (int i = 0; i < f.series().size(); i++) {
            long[] v = f.series().get(i).totals();
            long[] counts = m.slotsOf(v);
            HistogramSnapshot.HistogramDataPointSnapshot.Builder p = HistogramSnapshot.HistogramDataPointSnapshot
                    .builder().labels(labels.get(i)).classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts));
            if (sum != null) {
                p.sum(sum.of(v) / 1e9);
            }
            b.dataPoint(p.build());
        }
        return b.build();
    }
}
