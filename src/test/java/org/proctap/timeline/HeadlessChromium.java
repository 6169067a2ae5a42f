package org.proctap.timeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Debian's chromium, headless, with the DevTools protocol on a loopback port the browser picks
 * itself ({@code --remote-debugging-port=0}; the port is read from the DevToolsActivePort file it
 * writes in its profile, chrome/browser/devtools/remote_debugging_server.cc). The browser and its
 * temporary profile are removed by {@link #close}, also from a shutdown hook should the test JVM
 * be stopped first. A missing chromium fails, saying what to install.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final Thread hook;
    private final int port;

    private HeadlessChromium(Process process, Path profile, Thread hook, int port) {
        this.process = process;
        this.profile = profile;
        this.hook = hook;
        this.port = port;
    }

    /** Starts a headless browser showing about:blank in a window of {@code width} x {@code height}. */
    public static HeadlessChromium start(int width, int height) throws IOException, InterruptedException {
        Path binary = binary();
        Path profile = Files.createTempDirectory("proctap-chromium-");
        List<String> command = List.of(binary.toString(), "--headless", "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1", "--user-data-dir=" + profile,
                "--no-first-run", "--no-default-browser-check", "--disable-gpu", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                // root has no user namespace sandbox to enter here; the pages are our own files
                "--no-sandbox", "--hide-scrollbars", "--window-size=" + width + "," + height, "about:blank");
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile()).start();
        Thread hook = new Thread(() -> kill(p, profile));
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Path active = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + START.toNanos();
            while (true) {
                if (Files.exists(active)) {
                    List<String> lines = Files.readAllLines(active);
                    if (lines.size() >= 2) {
                        return new HeadlessChromium(p, profile, hook, Integer.parseInt(lines.get(0).trim()));
                    }
                }
                if (!p.isAlive()) {
                    throw new IllegalStateException("chromium exited with status " + p.exitValue() + ": "
                            + Files.readString(profile.resolve("chromium.log")));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("chromium wrote no DevToolsActivePort in " + START);
                }
                Thread.sleep(50);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            kill(p, profile);
            throw e;
        }
    }

    /** Debian's /usr/bin/chromium, or a chromium on PATH; fails saying how to install it. */
    static Path binary() {
        return find(Stream.concat(Stream.of(Path.of("/usr/bin/chromium")),
                Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                        .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "chromium"))).toList());
    }

    static Path find(List<Path> candidates) {
        return candidates.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new AssertionError(
                "the browser tests need Debian's chromium: apt-get install chromium"));
    }

    /** A DevTools session on the browser's first page. */
    public DevTools page() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (JsonNode target : new ObjectMapper().readTree(list)) {
            if ("page".equals(target.path("type").asText())) {
                return DevTools.connect(http, URI.create(target.path("webSocketDebuggerUrl").asText()));
            }
        }
        throw new IllegalStateException("chromium lists no page target: " + list);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        kill(process, profile);
    }

    private static void kill(Process p, Path profile) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle c : children) {
            c.destroyForcibly(); // renderers and zygotes of this browser only
        }
        try (Stream<Path> files = Files.walk(profile)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a renderer may still be writing; one more try once they are gone
            try {
                Thread.sleep(200);
                try (Stream<Path> files = Files.walk(profile)) {
                    for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(f);
                    }
                }
            } catch (IOException | InterruptedException again) {
                throw new UncheckedIOException("cannot remove chromium's profile " + profile,
                        again instanceof IOException io ? io : new IOException(again));
            }
        }
    }
}
