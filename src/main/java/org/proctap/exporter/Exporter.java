package org.proctap.exporter;

import java.io.IOException;
import java.util.function.Supplier;

import io.prometheus.metrics.model.registry.PrometheusRegistry;

import org.proctap.report.CounterSnapshot;
import org.proctap.report.Report;
import org.proctap.source.SourceListener;

/**
 * {@code --listen}: the figures of a watch as a Prometheus endpoint. The source's thread hands
 * every snapshot to {@link #accept}, which makes the next {@link Frame} and swaps it in; scrapes
 * on the server's threads render whichever frame is current. Closing stops the server and frees
 * the port.
 */
public final class Exporter implements AutoCloseable {
    private final SeriesTable table;
    private final MetricsServer server;
    private volatile Frame frame = Frame.EMPTY;

    private Exporter(ExporterConfig config, PrometheusRegistry registry, String version, String commit,
                     Supplier<String> backend) throws IOException {
        this.table = new SeriesTable(config.by(), config.maxSeries());
        registry.register(new FrameCollector(() -> frame, config.by(), version, commit, backend));
        this.server = MetricsServer.start(config.listen(), registry);
    }

    /**
     * Binds {@code config.listen()} and serves; throws IOException when the address cannot be
     * bound (in use, not this host's).
     *
     * @param backend the source's name, asked at each scrape (auto settles on one at the start)
     */
    public static Exporter start(ExporterConfig config, String version, String commit, Supplier<String> backend)
            throws IOException {
        return new Exporter(config, new PrometheusRegistry(), version, commit, backend);
    }

    /** The port bound. */
    public int port() {
        return server.port();
    }

    /** One snapshot of the source (on its thread): the figures scrapes show from now on. */
    public void accept(CounterSnapshot snapshot) {
        frame = table.next(snapshot, System.currentTimeMillis());
    }

    /**
     * The listener to start the source with: every snapshot to this exporter, then to
     * {@code tables} (the aggregating listener of the text or JSON output) unless it is null;
     * everything else to {@code tables}, or with null to {@code notices} only.
     */
    public SourceListener tap(SourceListener tables, java.util.function.Consumer<String> notices) {
        return new SourceListener() {
            @Override
            public void onStart(long ts) {
                if (tables != null) {
                    tables.onStart(ts);
                }
            }

            @Override
            public void onReport(Report report) {
                if (tables != null) {
                    tables.onReport(report);
                }
            }

            @Override
            public void onSnapshot(CounterSnapshot snapshot) {
                accept(snapshot);
                if (tables != null) {
                    tables.onSnapshot(snapshot);
                }
            }

            @Override
            public void onNotice(String message) {
                if (tables != null) {
                    tables.onNotice(message);
                } else {
                    notices.accept(message);
                }
            }
        };
    }

    @Override
    public void close() {
        server.close();
    }
}
