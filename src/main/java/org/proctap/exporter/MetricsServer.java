package org.proctap.exporter;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The HTTP endpoint: the JDK's server with the Prometheus client's scrape handler on exactly
 * {@code /metrics} (text or OpenMetrics by the Accept header, gzip when asked), a line of text on
 * {@code /}, 404 on every other path and 405 for any method but GET and HEAD. It reads nothing
 * but the request line and headers, and serves no file.
 *
 * <p>The JDK's server reads a request's line and headers on the executor's thread: each exchange
 * gets a virtual thread, so that clients that send half a request and wait hold no thread a
 * scrape needs. At most {@link #RENDERS} renders at once (a render allocates the whole
 * response), each shared by all the scrapes that asked the same while it waited
 * ({@link SharedRenders}), and sent to each outside the render's turn, so that a slow reader
 * holds up no one else's scrape. The server keeps at most {@link #MAX_CONNECTIONS} connections
 * open. The source's thread never waits for any of them: it swaps in frames that scrapes only
 * read.
 */
public final class MetricsServer implements AutoCloseable {
    static final String PATH = "/metrics";
    /**
     * One render at a time: a render holds every data point as an object and the text twice (the
     * client's buffer, the copy that is sent), 7.6 MB of text for 88 000 series, and two at once
     * ran the launcher's 64 MB heap out (bench/soak, --metrics-by pid).
     */
    static final int RENDERS = 1;
    static final int MAX_CONNECTIONS = 1024;
    static {
        // The JDK server's own limits (sun.net.httpserver.ServerConfig, read once when it is first
        // used), unless the user set them: a request must arrive within 30 s and its response be
        // taken within 60 s, at most 100 headers (431 past that), at most MAX_CONNECTIONS open
        // (past that a new connection is closed at once). ServerConfig reads the cap as
        // jdk.httpserver.maxConnections, unlike the others: a sun.net.* name for it does nothing.
        setDefault("sun.net.httpserver.maxReqTime", "30");
        setDefault("sun.net.httpserver.maxRspTime", "60");
        setDefault("sun.net.httpserver.idleInterval", "30");
        setDefault("sun.net.httpserver.maxReqHeaders", "100");
        setDefault("jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds and starts serving {@code registry}; throws IOException when the bind fails. */
    public static MetricsServer start(ListenAddress at, PrometheusRegistry registry) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(at.address(), at.port()), 64);
        ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("proctap-metrics-", 0).factory());
        server.setExecutor(executor);
        PrometheusScrapeHandler metrics = new PrometheusScrapeHandler(registry);
        SharedRenders<RenderedScrape.Key, RenderedScrape> renders = new SharedRenders<>(RENDERS);
        server.createContext("/", exchange -> guarded(exchange, metrics, renders));
        // The server's dispatcher thread is created by start() and inherits its daemon status: a
        // daemon, so that no path out of proctap can be held up by it (close() still stops it).
        Thread starter = Thread.ofPlatform().daemon().unstarted(server::start);
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new MetricsServer(server, executor);
    }

    /** The port bound (the one asked for, or the kernel's choice for 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Every request comes here (the context "/" matches every path): only GET or HEAD of exactly
     * /metrics reaches the client's handler; the query string is the client's to read (name[]=
     * filters), nothing else of the request is.
     */
    private static void guarded(HttpExchange exchange, PrometheusScrapeHandler metrics,
                                SharedRenders<RenderedScrape.Key, RenderedScrape> renders)
            throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "method not allowed\n");
            } else if (PATH.equals(path)) {
                renders.get(RenderedScrape.Key.of(exchange), () -> RenderedScrape.render(metrics, exchange))
                        .send(exchange);
            } else if ("/".equals(path)) {
                reply(exchange, 200, "proctap: Prometheus metrics are at " + PATH + "\n");
            } else {
                reply(exchange, 404, "not found: proctap serves " + PATH + " only\n");
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops serving and frees the port at once (connections being answered are closed). */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
