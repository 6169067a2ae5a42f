package org.proctap.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Debian's Prometheus server ({@code /usr/bin/prometheus}) on loopback, scraping one target every
 * second, its storage in a temporary directory. {@link #close} kills it and deletes the directory,
 * whatever happened before.
 */
final class PrometheusServer implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/prometheus");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path dir;
    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusServer(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    /** Starts it scraping {@code 127.0.0.1:targetPort/metrics} every second, and waits until it is ready. */
    static PrometheusServer start(int targetPort) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new AssertionError(BINARY + " is missing: apt-get install prometheus");
        }
        Path dir = Files.createTempDirectory("proctap-prometheus-");
        Process p = null;
        try {
            int port = FreePort.find();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: proctap
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """.formatted(targetPort));
            p = new ProcessBuilder(BINARY.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                    "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            PrometheusServer server = new PrometheusServer(dir, p, port);
            server.awaitReady();
            return server;
        } catch (IOException | RuntimeException | Error e) {
            if (p != null) {
                p.destroyForcibly();
            }
            delete(dir);
            throw e;
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("prometheus exited: " + log());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/-/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            ItSupport.sleep(Duration.ofMillis(200));
        }
        throw new AssertionError("prometheus not ready after 30 s: " + log());
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    /** An instant query's result (the "result" array of /api/v1/query) at {@code timeSeconds}, or now when NaN. */
    JsonNode query(String promql, double timeSeconds) {
        String q = "query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + (Double.isNaN(timeSeconds) ? "" : "&time=" + String.format("%.3f", timeSeconds));
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/query?" + q))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode n = MAPPER.readTree(r.body());
            if (r.statusCode() != 200 || !"success".equals(n.path("status").asText())) {
                throw new AssertionError("query " + promql + ": " + r.statusCode() + " " + r.body());
            }
            return n.path("data").path("result");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The value of a query that gives one series (a sum), or NaN when it gives none. */
    double scalar(String promql, double timeSeconds) {
        JsonNode result = query(promql, timeSeconds);
        if (result.isEmpty()) {
            return Double.NaN;
        }
        if (result.size() != 1) {
            throw new AssertionError(promql + " gave " + result.size() + " series: " + result);
        }
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    /**
     * The raw samples of a range selector ({@code x[10s]}) at {@code timeSeconds}, summed over its
     * series by scrape time: every series of one target is scraped at the same instants.
     */
    java.util.NavigableMap<Double, Double> samples(String rangeSelector, double timeSeconds) {
        java.util.NavigableMap<Double, Double> sum = new java.util.TreeMap<>();
        for (JsonNode series : query(rangeSelector, timeSeconds)) {
            for (JsonNode v : series.path("values")) {
                sum.merge(v.get(0).asDouble(), Double.parseDouble(v.get(1).asText()), Double::sum);
            }
        }
        return sum;
    }

    /** Waits until Prometheus has scraped the target successfully at least {@code n} times. */
    void awaitScrapes(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            double up = scalar("sum_over_time(up{job=\"proctap\"}[1m])", Double.NaN);
            if (up >= n) {
                return;
            }
            ItSupport.sleep(Duration.ofMillis(250));
        }
        throw new AssertionError("prometheus did not scrape proctap " + n + " times in " + timeout + ": "
                + query("up", Double.NaN) + " " + log());
    }

    String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
