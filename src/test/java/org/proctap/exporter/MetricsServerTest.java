package org.proctap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The endpoint on loopback with a registry of two families whose renders are counted. */
class MetricsServerTest {
    private final AtomicInteger renders = new AtomicInteger();
    private volatile long renderMillis;
    private MetricsServer server;
    private int port;

    @BeforeEach
    void start() throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register((MultiCollector) () -> {
            renders.incrementAndGet();
            try {
                Thread.sleep(renderMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return MetricSnapshots.of(
                    CounterSnapshot.builder().name("proctap_test_runs").help("runs").dataPoint(
                            CounterSnapshot.CounterDataPointSnapshot.builder().value(18).build()).build(),
                    GaugeSnapshot.builder().name("proctap_test_sets").help("sets").dataPoint(
                            GaugeSnapshot.GaugeDataPointSnapshot.builder().value(3).build()).build());
        });
        server = MetricsServer.start(ListenAddress.parse("0"), registry);
        port = server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Past MetricsServer.MAX_CONNECTIONS open, the server closes a new connection at once. */
    @Test
    @Timeout(60)
    void connectionsPastTheCapAreClosed() throws Exception {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < MetricsServer.MAX_CONNECTIONS; i++) {
                open.add(new Socket(InetAddress.getLoopbackAddress(), port));
            }
            // the server has taken them all when a request on the last one is answered
            Socket last = open.getLast();
            last.getOutputStream().write(bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
            last.setSoTimeout(10_000);
            assertThat(last.getInputStream().read()).as("a reply on connection %d", open.size()).isNotNegative();
            try (Socket over = new Socket(InetAddress.getLoopbackAddress(), port)) {
                over.setSoTimeout(10_000);
                assertThat(over.getInputStream().read()).as("connection %d: closed by the server",
                        open.size() + 1).isEqualTo(-1);
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
