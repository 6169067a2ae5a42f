package org.proctap.tracedat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A tracefs instance of the test's own ({@code instances/proctap-tracedat-test-PID}), removed on
 * close: sched events of a small workload with trace_clock=mono, its sub-buffers read from
 * per_cpu/cpuN/trace_pipe_raw until EAGAIN.
 */
final class LiveInstance implements AutoCloseable {
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    private static final List<String> EVENTS = List.of("sched/sched_switch", "sched/sched_wakeup",
            "sched/sched_wakeup_new", "sched/sched_process_fork", "sched/sched_process_exec",
            "sched/sched_process_exit");

    private final Path dir;
    private final int subBufferBytes;
    private final List<List<ByteBuffer>> pages = new ArrayList<>();
    private final Map<Integer, String> comms = new TreeMap<>();

    private LiveInstance(Path dir, int subBufferBytes) {
        this.dir = dir;
        this.subBufferBytes = subBufferBytes;
    }

    static LiveInstance create(int subBufferKb) throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            fail("the live trace.dat test needs root to create a tracefs instance; run the ITs as root");
        }
        if (!Files.isDirectory(TRACEFS.resolve("instances"))) {
            sh("mount -t tracefs nodev " + TRACEFS);
        }
        Path dir = TRACEFS.resolve("instances/proctap-tracedat-test-" + ProcessHandle.current().pid());
        Files.createDirectory(dir);
        int kb;
        try {
            kb = subBufferKb(dir, subBufferKb);
        } catch (IOException | RuntimeException e) {
            Files.delete(dir);
            throw e;
        }
        LiveInstance live = new LiveInstance(dir, kb * 1024);
        try {
            live.write("tracing_on", "0");
            live.write("buffer_size_kb", "256");
            live.write("trace_clock", "mono");
            live.write("options/event-fork", "1");
            return live;
        } catch (IOException | RuntimeException e) {
            live.close();
            throw e;
        }
    }

    /** Traces a shell that forks, execs and exits a few times. */
    void record() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/sh", "-c",
                "read go; for i in 1 2 3 4 5; do /bin/sh -c 'echo x | cat > /dev/null'; done").start();
        write("set_event_pid", String.valueOf(p.pid()));
        for (String e : EVENTS) {
            write("events/" + e + "/enable", "1");
        }
        write("tracing_on", "1");
        p.getOutputStream().write("go\n".getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("workload finished").isTrue();
        write("tracing_on", "0");
        int cpus = Runtime.getRuntime().availableProcessors();
        for (int cpu = 0; cpu < cpus; cpu++) {
            Path raw = Files.createTempFile("proctap-tracedat", ".raw");
            try {
                // dd with iflag=nonblock stops at EAGAIN (the buffer is empty) instead of waiting.
                sh("dd if=" + dir.resolve("per_cpu/cpu" + cpu + "/trace_pipe_raw") + " of=" + raw + " bs="
                        + subBufferBytes + " iflag=nonblock status=none 2>/dev/null || true");
                byte[] bytes = Files.readAllBytes(raw);
                assertThat(bytes.length % subBufferBytes).as("whole sub-buffers from cpu%d", cpu).isZero();
                List<ByteBuffer> list = new ArrayList<>();
                for (int at = 0; at < bytes.length; at += subBufferBytes) {
                    list.add(ByteBuffer.wrap(bytes, at, subBufferBytes).slice());
                }
                pages.add(list);
            } finally {
                Files.delete(raw);
            }
        }
        comms.put((int) p.pid(), "sh");
        comms.put((int) ProcessHandle.current().pid(), "java");
    }

    TraceDatHeader header() throws IOException {
        Map<String, List<String>> formats = new LinkedHashMap<>();
        for (String e : EVENTS) {
            formats.computeIfAbsent(e.substring(0, e.indexOf('/')), k -> new ArrayList<>())
                    .add(read(dir.resolve("events/" + e + "/format")));
        }
        return new TraceDatHeader(ByteOrder.nativeOrder(), 8, subBufferBytes,
                read(dir.resolve("events/header_page")), read(dir.resolve("events/header_event")),
                List.of(), formats, "mono");
    }

    void write(Path file, List<TraceDatOption> options) throws IOException {
        try (TraceDatWriter w = TraceDatWriter.create(file, header(), pages.size())) {
            for (int cpu = 0; cpu < pages.size(); cpu++) {
                for (ByteBuffer p : pages.get(cpu)) {
                    w.append(cpu, p.duplicate());
                }
            }
            w.finish(comms, options);
        }
    }

    /**
     * Reads a tracefs text file to its end. Not Files.readString: it sizes its first read by the
     * inode size, which tracefs reports as 0, and header_page then comes back as 1 byte (see
     * org.proctap.source.tracefs.TracefsFiles).
     */
    /**
     * Sets the instance's sub-buffer size, and returns the one it has: some kernels refuse the
     * write with EPERM, even of the size it already has (docs/kernel-notes.md), and the pages are
     * then the kernel's size (8 KB ones are the process-lifecycle-subbuf8k fixture's).
     */
    private static int subBufferKb(Path dir, int wanted) throws IOException {
        Files.writeString(dir.resolve("tracing_on"), "0");
        try {
            Files.writeString(dir.resolve("buffer_subbuf_size_kb"), String.valueOf(wanted));
            return wanted;
        } catch (IOException e) { // (the write's errno, e.g. "Operation not permitted")
            int kb = Integer.parseInt(read(dir.resolve("buffer_subbuf_size_kb")).strip());
            System.out.printf("[measured] tracedat live instance: buffer_subbuf_size_kb=%d refused (%s): "
                    + "recording %d KB sub-buffers%n", wanted, e.getMessage(), kb);
            return kb;
        }
    }

    private static String read(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void write(String file, String value) throws IOException {
        Files.writeString(dir.resolve(file), value);
    }

    private static void sh(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/sh", "-c", command).inheritIO().start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("failed: " + command);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (Files.isDirectory(dir)) {
                write("tracing_on", "0");
                for (String e : EVENTS) {
                    write("events/" + e + "/enable", "0");
                }
            }
        } finally {
            // Removing the instance frees its buffers; rmdir is how tracefs removes one.
            Files.deleteIfExists(dir);
        }
    }
}
