package org.proctap.exporter;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The HTTP endpoint: the JDK's server with the Prometheus client's {@link MetricsHandler} on
 * exactly {@code /metrics} (text or OpenMetrics by the Accept header, gzip when asked), a line of
 * text on {@code /}, 404 on every other path and 405 for any method but GET and HEAD. It reads
 * nothing but the request line and headers, and serves no file. Two threads answer (a scrape
 * renders an immutable frame in milliseconds; more connections wait their turn, never the
 * source's thread).
 */
public final class MetricsServer implements AutoCloseable {
    static final String PATH = "/metrics";
    private static final int THREADS = 2;

    static {
        // The JDK server's own limits (sun.net.httpserver.ServerConfig), unless the user set them:
        // a connection idle or slow to send its request is closed after 30 s, and requests with
        // more than 100 headers are refused (431).
        setDefault("sun.net.httpserver.maxReqTime", "30");
        setDefault("sun.net.httpserver.maxRspTime", "60");
        setDefault("sun.net.httpserver.idleInterval", "30");
        setDefault("sun.net.httpserver.maxReqHeaders", "100");
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds and starts serving {@code registry}; throws IOException when the bind fails. */
    public static MetricsServer start(ListenAddress at, PrometheusRegistry registry) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(at.address(), at.port()), 16);
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> Thread.ofPlatform().daemon().name("proctap-metrics").unstarted(r));
        executor.allowCoreThreadTimeOut(true);
        server.setExecutor(executor);
        MetricsHandler metrics = new MetricsHandler(registry);
        server.createContext("/", exchange -> guarded(exchange, metrics));
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
    private static void guarded(HttpExchange exchange, HttpHandler metrics) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "method not allowed\n");
            } else if (PATH.equals(path)) {
                metrics.handle(exchange);
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
