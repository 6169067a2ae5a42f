package org.proctap.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint under bad and many requests, all on loopback and bounded in count and time: it
 * answers each with an error or a close, serves no file, answers the next good scrape, and the
 * watch goes on untouched (nothing lost, the burner's on-CPU time as the kernel counted it).
 * Every way proctap ends frees the port.
 */
class ExporterAbuseIT extends ItSupport {
    static final int CONNECTIONS = 200;

    @Test
    @Timeout(180)
    void badRequestsAndACrowdLeaveTracingAndTheNextScrapeAlone(@TempDir Path tmp) throws Exception {
        int port = FreePort.find();
        try (Workload w = Workload.create();
             Proctap p = Proctap.start("--json", "-i", "0", "--listen", Integer.toString(port), "--backend", "bpf",
                     w.name())) {
            p.awaitStart(STARTUP);
            Workload.Run run = w.startViaLauncher(tmp.resolve("workload.out"), "--main-ms", "3000",
                    "--thread-ms", "0", "--child-ms", "0", "--sleep-ms", "1", "--sleep-every-ms", "20");
            SoftAssertions soft = new SoftAssertions();
            double abuseFrom = System.currentTimeMillis() / 1e3;
            abuse(soft, port);
            crowd(soft, port);
            slowClients(soft, port);
            double abusedUntil = System.currentTimeMillis() / 1e3;
            RawHttp.Reply good = RawHttp.scrape(port);
            soft.assertThat(good.status()).as("the next good scrape").isEqualTo(200);
            System.out.printf("[measured] the abuse took %.2f s; the next good scrape showed a snapshot %s%n",
                    abusedUntil - abuseFrom, snapshotTime(good.text()) == 0 ? "not yet taken"
                            : String.format("%.2f s old", abusedUntil - snapshotTime(good.text())));
            // Figures are read every second (or -i): the abuse may have taken less. The source
            // went on reading through it when a snapshot taken after it comes within three.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (snapshotTime(good.text()) < abusedUntil && System.nanoTime() < deadline) {
                Thread.sleep(100);
                good = RawHttp.scrape(port);
            }
            soft.assertThat(snapshotTime(good.text())).as("the snapshot a scrape shows 3 s after the abuse, vs its end")
                    .isGreaterThanOrEqualTo(abusedUntil);
            soft.assertThat(good.text()).as("that scrape").contains("proctap_oncpu_seconds_total{comm=\""
                    + w.name() + "\"");

            Workload.Report r = run.await(WORKLOAD);
            assertThat(r.exitCode()).as("workload exit status").isEqualTo(7);
            p.awaitJson("the workload's exit", n -> isType(n, "exit") && n.path("tgid").asInt() == r.readyPid(),
                    WORKLOAD);
            p.signal(Proctap.SIGTERM);
            assertThat(p.waitFor(EXIT)).as("exit status after SIGTERM").isZero();
            List<JsonNode> all = p.json();
            soft.assertThat(finalInterval(all).path("lost_total").asLong()).as("events lost").isZero();
            long main = sum(finalRows(all), "oncpu_ns", n -> n.path("pid").asInt() == r.readyPid());
            long truth = r.mainSchedstatSinceLaunch();
            soft.assertThat((double) main).as("the burner's on-CPU ns in the final table vs schedstat %d (%s)", truth,
                    percent(main, truth)).isCloseTo(truth, org.assertj.core.api.Assertions.withinPercentage(2));
            soft.assertThat(FreePort.isFree(port)).as("port free after SIGTERM").isTrue();
            soft.assertThat(p.stderr()).as("proctap's stderr: a client's misdeeds are not proctap's errors").isEmpty();
            soft.assertAll();
        }
    }

    /** Malformed, oversized and forbidden requests: each an error status or a closed connection. */
    private static void abuse(SoftAssertions soft, int port) throws IOException {
        record Case(String what, byte[] request, List<Integer> statuses) {
        }
        String big = "a".repeat(1 << 20);
        StringBuilder manyHeaders = new StringBuilder("GET /metrics HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 1000; i++) {
            manyHeaders.append("X-").append(i).append(": y\r\n");
        }
        manyHeaders.append("\r\n");
        List<Case> cases = List.of(
                new Case("garbage", bytes("\u0001\u0002 not http at all\r\n\r\n"), List.of(400, 404, 405, -1)),
                new Case("no version", bytes("GET /metrics\r\n\r\n"), List.of(400, -1)),
                new Case("a 1 MB URL", bytes("GET /metrics?" + big + " HTTP/1.1\r\nHost: x\r\n\r\n"),
                        List.of(400, 414, -1)),
                new Case("a 1 MB header", bytes("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n"),
                        List.of(400, 431, -1)),
                new Case("1000 headers", bytes(manyHeaders.toString()), List.of(400, 431, -1)),
                new Case("a POST", bytes("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                        + "Connection: close\r\n\r\nhello"), List.of(405)),
                new Case("a PUT", bytes("PUT /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                        + "Connection: close\r\n\r\n"), List.of(405)),
                new Case("traversal", bytes("GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close"
                        + "\r\n\r\n"), List.of(400, 404)),
                new Case("traversal below /metrics", bytes("GET /metrics/../../etc/passwd HTTP/1.1\r\nHost: x\r\n"
                        + "Connection: close\r\n\r\n"), List.of(400, 404)),
                new Case("encoded traversal", bytes("GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n"
                        + "Connection: close\r\n\r\n"), List.of(400, 404)));
        for (Case c : cases) {
            RawHttp.Reply reply = RawHttp.send(port, c.request());
            soft.assertThat(reply.status()).as("%s: %s", c.what(), reply.statusLine()).isIn(c.statuses().toArray());
            soft.assertThat(reply.closed()).as("%s: the connection closed", c.what()).isTrue();
            soft.assertThat(reply.text()).as("%s: no file served", c.what()).doesNotContain("root:x:0:0");
        }
    }

    /** 200 scrapes at once: every one answered, within 30 s altogether. */
    private static void crowd(SoftAssertions soft, int port) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            List<Future<RawHttp.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                replies.add(pool.submit(() -> RawHttp.scrape(port)));
            }
            int ok = 0;
            List<String> others = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (Future<RawHttp.Reply> f : replies) {
                RawHttp.Reply r = f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (r.status() == 200 && r.text().contains("proctap_build_info")) {
                    ok++;
                } else {
                    others.add("'" + r.statusLine() + "' (" + r.text().length() + " bytes, "
                            + (r.closed() ? "closed" : "left open") + ")");
                }
            }
            soft.assertThat(ok).as("of %d concurrent scrapes, answered; the others: %s", CONNECTIONS, others)
                    .isEqualTo(CONNECTIONS);
        } finally {
            pool.shutdownNow();
        }
    }

    /** 200 connections that send half a request and wait: a good scrape still gets through. */
    private static void slowClients(SoftAssertions soft, int port) throws IOException {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                OutputStream out = s.getOutputStream();
                out.write(bytes("GET /metrics HTTP/1.1\r\nHost: x\r\n"));
                out.flush();
                open.add(s);
            }
            long t0 = System.nanoTime();
            RawHttp.Reply r = RawHttp.scrape(port);
            double seconds = (System.nanoTime() - t0) / 1e9;
            soft.assertThat(r.status()).as("a scrape beside %d half-sent requests", CONNECTIONS).isEqualTo(200);
            soft.assertThat(seconds).as("its time in seconds").isLessThan(2.0);
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    @Timeout(60)
    void theCommandsEndFreesThePort() throws Exception {
        int port = FreePort.find();
        try (Proctap p = Proctap.start("--listen", Integer.toString(port), "-i", "0", "--quiet", "--", "sleep", "2")) {
            assertThat(p.waitFor(EXIT)).as("exit status: the command's").isZero();
            assertThat(p.stdout()).as("--quiet: nothing on stdout").isEmpty();
            assertThat(FreePort.isFree(port)).as("port free after the command ended").isTrue();
        }
    }

    @Test
    @Timeout(60)
    void aNonLoopbackBindIsSaidOnce() throws Exception {
        int port = FreePort.find();
        try (Proctap p = Proctap.start("--listen", "0.0.0.0:" + port, "-i", "0", "--quiet", "--", "sleep", "1")) {
            assertThat(p.waitFor(EXIT)).isZero();
            assertThat(p.stderr()).containsExactly("proctap: serving metrics on 0.0.0.0:" + port
                    + ", reachable from other hosts");
            assertThat(FreePort.isFree(port)).isTrue();
        }
    }

    @Test
    @Timeout(60)
    void aClosedPipeFreesThePort() throws Exception {
        int port = FreePort.find();
        java.io.File errFile = java.io.File.createTempFile("proctap-it-stderr", ".txt");
        errFile.deleteOnExit();
        Process p = new ProcessBuilder(Proctap.javaCommand(Proctap.jar(), List.of("--json", "-i", "0.1",
                "--listen", Integer.toString(port), Workload.uniqueName()))).redirectError(errFile).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(out.readLine()).as("the start line").contains("\"type\":\"start\"");
            assertThat(RawHttp.scrape(port).status()).as("serving").isEqualTo(200);
            p.getInputStream().close();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("proctap ends when its reader leaves").isTrue();
            assertThat(p.exitValue()).as("killed by SIGPIPE, as grep").isEqualTo(141);
            assertThat(FreePort.isFree(port)).as("port free after the pipe closed").isTrue();
        } finally {
            p.destroyForcibly();
        }
    }

    /** proctap_snapshot_timestamp_seconds of a scrape, 0 before the first snapshot. */
    private static double snapshotTime(String scrape) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith("proctap_snapshot_timestamp_seconds ")) {
                return Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        return 0;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
