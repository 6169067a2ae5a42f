package org.proctap.exporter;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.sun.net.httpserver.HttpExchange;

import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;

/**
 * A scrape's whole response as the Prometheus client's handler made it (status, headers, body),
 * held in memory so that every scrape that asked the same can be sent it: the client's handler
 * writes into this instead of into one exchange. Never written after it is made.
 */
final class RenderedScrape {
    /**
     * Everything of a request the client's handler reads (PrometheusScrapeHandler, 1.10): the
     * method (HEAD has no body), the query string (name[] filters, debug), Accept (format and
     * name escaping) and Accept-Encoding (gzip). Two requests of one key get the same response.
     */
    record Key(String method, String query, List<String> accept, List<String> acceptEncoding) {
        static Key of(HttpExchange exchange) {
            return new Key(exchange.getRequestMethod(), exchange.getRequestURI().getRawQuery(),
                    header(exchange, "Accept"), header(exchange, "Accept-Encoding"));
        }

        private static List<String> header(HttpExchange exchange, String name) {
            List<String> values = exchange.getRequestHeaders().get(name);
            return values == null ? List.of() : List.copyOf(values);
        }
    }

    /**
     * The body the handler wrote, sent from its own array by any number of threads at once.
     * Without gzip the client renders into a buffer of its own and writes it in one call of just
     * the length it announced (PrometheusScrapeHandler, 1.10), then drops it: that array is kept,
     * not copied, for a render's text is megabytes and the heap 64 MB. Every other write is
     * copied (gzip writes from a buffer it reuses).
     */
    private static final class Body extends OutputStream {
        private final int announced;
        private byte[] bytes = new byte[0];
        private int length;
        private boolean kept;

        Body(int announced) {
            this.announced = announced;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            if (length == 0 && off == 0 && len > 0 && len == announced) {
                bytes = b;
                length = len;
                kept = true;
                return;
            }
            if (kept || length + len > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(length + len, 2 * bytes.length + 256));
                kept = false;
            }
            System.arraycopy(b, off, bytes, length, len);
            length += len;
        }

        int size() {
            return length;
        }

        void sendTo(OutputStream out) throws IOException {
            out.write(bytes, 0, length);
        }
    }

    private final int status;
    private final Map<String, String> headers;
    private final Body body;

    private RenderedScrape(int status, Map<String, String> headers, Body body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /** Runs the client's handler for {@code request} (reading nothing but its {@link Key}). */
    static RenderedScrape render(PrometheusScrapeHandler handler, HttpExchange request) throws IOException {
        Capture capture = new Capture(request);
        handler.handleRequest(capture);
        if (capture.body == null) {
            throw new IOException("the metrics handler sent no response");
        }
        return new RenderedScrape(capture.status, Map.copyOf(capture.headers), capture.body);
    }

    /**
     * Sends it on {@code exchange}, one of the requests of its key. The server sets
     * Content-Length from the length given here; for HEAD the handler's own header stands.
     */
    void send(HttpExchange exchange) throws IOException {
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        int n = body.size();
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head || n == 0 ? -1 : n);
        if (!head && n > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                body.sendTo(out);
            }
        }
    }

    /** The client's view of one request: the real request to read, this object to write to. */
    private static final class Capture implements PrometheusHttpExchange, PrometheusHttpRequest,
            PrometheusHttpResponse {
        private final HttpExchange request;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Body body;
        private int status;

        Capture(HttpExchange request) {
            this.request = request;
        }

        @Override
        public PrometheusHttpRequest getRequest() {
            return this;
        }

        @Override
        public PrometheusHttpResponse getResponse() {
            return this;
        }

        @Override
        public String getQueryString() {
            return request.getRequestURI().getRawQuery();
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            List<String> values = request.getRequestHeaders().get(name);
            return values == null ? Collections.emptyEnumeration() : Collections.enumeration(values);
        }

        @Override
        public String getMethod() {
            return request.getRequestMethod();
        }

        @Override
        public String getRequestPath() {
            URI uri = request.getRequestURI();
            return uri.getPath();
        }

        @Override
        public void setHeader(String name, String value) {
            headers.put(name, value);
        }

        @Override
        public OutputStream sendHeadersAndGetBody(int statusCode, int contentLength) throws IOException {
            if (status != 0) {
                throw new IOException("the metrics handler sent two responses");
            }
            status = statusCode;
            body = new Body(contentLength);
            return body;
        }

        @Override
        public void handleException(IOException e) throws IOException {
            throw e;
        }

        @Override
        public void handleException(RuntimeException e) {
            throw e;
        }

        @Override
        public void close() {
        }
    }
}
