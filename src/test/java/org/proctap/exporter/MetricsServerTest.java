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

    /**
     * The JDK's server takes a request whose client hung up before the blank line as complete:
     * each of these is a GET of /metrics once its client closes. They and the scrape after them
     * share renders instead of queueing for one each (200 renders of 200 ms would hold the good
     * scrape 40 s).
     */
    @Test
    @Timeout(60)
    void halfSentRequestsWhoseClientsHangUpShareRendersWithTheNextScrape() throws Exception {
        renderMillis = 200;
        List<Socket> open = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
            s.getOutputStream().write(bytes("GET /metrics HTTP/1.1\r\nHost: x\r\n"));
            open.add(s);
        }
        for (Socket s : open) {
            s.close();
        }
        String reply = raw("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(reply).startsWith("HTTP/1.1 200").contains("proctap_test_runs_total 18");
        awaitQuiet();
        assertThat(renders.get()).as("renders for 200 hung-up requests and one scrape").isBetween(1, 20);
    }

    @Test
    @Timeout(60)
    void aCrowdOfScrapesSharesRenders() throws Exception {
        renderMillis = 200;
        HttpClient client = HttpClient.newHttpClient();
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            replies.add(client.sendAsync(get("/metrics").build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (var r : replies) {
            assertThat(r.get().statusCode()).isEqualTo(200);
            assertThat(r.get().body()).contains("proctap_test_runs_total 18");
        }
        assertThat(renders.get()).as("renders for 100 scrapes at once").isBetween(1, 20);
    }

    @Test
    void theTextFormatByDefault() throws Exception {
        HttpResponse<String> r = send(get("/metrics"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(r.body().getBytes(StandardCharsets.UTF_8)
                .length);
        assertThat(r.body()).contains("# TYPE proctap_test_runs_total counter\nproctap_test_runs_total 18.0\n");
    }

    @Test
    void openMetricsWhenAsked() throws Exception {
        HttpResponse<String> r = send(get("/metrics").header("Accept",
                "application/openmetrics-text; version=1.0.0; charset=utf-8"));
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/openmetrics-text"));
        assertThat(r.body()).contains("# TYPE proctap_test_runs counter").endsWith("# EOF\n");
    }

    @Test
    void gzipWhenAsked() throws Exception {
        String plain = send(get("/metrics")).body();
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(get("/metrics").header("Accept-Encoding", "gzip")
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.headers().firstValue("Content-Encoding")).hasValue("gzip");
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(plain);
        }
    }

    @Test
    void headHasTheLengthOfGetAndNoBody() throws Exception {
        String body = send(get("/metrics")).body();
        String head = raw("HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(head).startsWith("HTTP/1.1 200")
                .containsIgnoringCase("content-length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n")
                .endsWith("\r\n\r\n");
    }

    @Test
    void nameFiltersAreTheClients() throws Exception {
        String body = send(get("/metrics?name[]=proctap_test_sets")).body();
        assertThat(body).contains("proctap_test_sets 3").doesNotContain("proctap_test_runs");
    }

    @Test
    void otherPathsAndMethods() throws Exception {
        assertThat(send(get("/")).body()).isEqualTo("proctap: Prometheus metrics are at /metrics\n");
        assertThat(send(get("/metrics/x")).statusCode()).isEqualTo(404);
        HttpResponse<String> post = send(HttpRequest.newBuilder(uri("/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(renders.get()).as("renders for none of them").isZero();
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

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(uri(path));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Writes {@code request} as it is and reads until the server closes. */
    private String raw(String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(bytes(request));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            s.getInputStream().transferTo(got);
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Until no render has begun for a second: the hung-up requests have all been answered. */
    private void awaitQuiet() throws InterruptedException {
        for (int seen = -1; seen != renders.get(); ) {
            seen = renders.get();
            Thread.sleep(1000);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
