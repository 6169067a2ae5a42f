package org.proctap.perfetto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proctap.event.Event;
import org.proctap.event.SchedSwitch;
import org.proctap.perfetto.proto.FtraceEventBundle;

/**
 * A pipe storm's worth of switches (2 M: a 10-second recording of the pipe storm has ~1.6 M)
 * streamed to a file by a writer that keeps none of them: packets reach the stream as bundles
 * fill, the heap does not grow with the trace, and the file, read back packet by packet, holds
 * every switch in each CPU's order. The encode speed is printed, never asserted.
 */
class PerfettoStreamingTest {
    private static final int CPUS = 2;
    private static final int EVENTS = 2_000_000;
    private static final int PER_BUNDLE = PerfettoOptions.DEFAULT_EVENTS_PER_BUNDLE;
    /** The smallest a switch can be: tags, a 6-byte timestamp, pids, two short comms. */
    private static final int MIN_EVENT_BYTES = 20;
    private static final int WRITER_BUFFER = 1 << 16;

    @TempDir
    Path dir;

    /**
     * Event {@code i}: CPU i % 2; on each CPU two writers of a pipe take turns, the one leaving
     * asleep (S) or, every 7th switch, preempted (0x100). 1 µs apart, from about 3 hours after boot.
     */
    private static SchedSwitch event(int i) {
        int cpu = i % CPUS;
        int k = i / CPUS;
        int a = 4000 + 2 * cpu;
        int prev = k % 2 == 0 ? a : a + 1;
        int next = k % 2 == 0 ? a + 1 : a;
        long state = k % 7 == 0 ? 0x100 : 0x1;
        return new SchedSwitch(10_800_000_000_000L + 1_000L * i, cpu, prev, prev == a ? "storm-w" : "storm-r", prev,
                120, state, next == a ? "storm-w" : "storm-r", next, 120);
    }

    @Test
    void twoMillionSwitchesStreamInBoundedMemory() throws IOException {
        Path file = dir.resolve("storm.pftrace");
        long[] received = {0};
        OutputStream counting = new FilterOutputStream(Files.newOutputStream(file)) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                received[0] += len;
            }

            @Override
            public void write(int b) throws IOException {
                out.write(b);
                received[0]++;
            }
        };
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        long heapAtEnd;
        long nanos;
        long bytes;
        long packets;
        try (PerfettoWriter w = new PerfettoWriter(counting, new TraceSystem("6.18.44", "x86_64", CPUS))) {
            long start = System.nanoTime();
            for (int i = 0; i < EVENTS; i++) {
                w.accept(event(i));
                if (i % 100_000 == 99_999) {
                    // All but the waiting bundles and the writer's buffer have reached the stream.
                    long accepted = i + 1;
                    assertThat(w.bytes()).isGreaterThanOrEqualTo((accepted - (long) CPUS * PER_BUNDLE) * MIN_EVENT_BYTES);
                    assertThat(received[0]).isGreaterThanOrEqualTo(w.bytes() - WRITER_BUFFER);
                }
            }
            nanos = System.nanoTime() - start;
            System.gc();
            heapAtEnd = memory.getHeapMemoryUsage().getUsed();
            assertThat(w.written()).isEqualTo(EVENTS);
            assertThat(w.ignored()).isEmpty();
        } finally {
            counting.close();
        }
        bytes = Files.size(file);
        assertThat(received[0]).isEqualTo(bytes);
        // Kept events would take far more than the file's size; the writer holds two bundles.
        assertThat(heapAtEnd - heapBefore).as("heap growth while writing %d bytes", bytes).isLessThan(32L << 20);

        // Read back packet by packet, never whole: every switch, in each CPU's order.
        int[] next = new int[CPUS];
        long[] bundles = {0};
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            packets = TraceFile.packets(in, p -> {
                if (!p.hasFtraceEvents()) {
                    assertThat(p.hasSystemInfo()).isTrue();
                    return;
                }
                FtraceEventBundle b = p.getFtraceEvents();
                bundles[0]++;
                assertThat(b.getEventCount()).isBetween(1, PER_BUNDLE);
                int cpu = b.getCpu();
                for (var f : b.getEventList()) {
                    Event expected = event(next[cpu]++ * CPUS + cpu);
                    Event read = TraceFile.event(f, cpu);
                    if (!read.equals(expected)) { // not assertThat: two million of them
                        throw new AssertionError("switch " + (next[cpu] - 1) + " of cpu" + cpu + ": " + read
                                + ", wrote " + expected);
                    }
                }
            });
        }
        assertThat(next).containsExactly(EVENTS / CPUS, EVENTS / CPUS);
        long perCpu = EVENTS / CPUS;
        assertThat(bundles[0]).isEqualTo(CPUS * ((perCpu + PER_BUNDLE - 1) / PER_BUNDLE));
        assertThat(packets).isEqualTo(1 + bundles[0]);
        double perEvent = (double) bytes / EVENTS;
        assertThat(perEvent).isBetween(30.0, 60.0);
        System.out.printf("perfetto streaming: %d switches, %d packets, %d bytes (%.2f per switch), heap %+d KiB,"
                        + " %.2f M switches/s encoded%n", EVENTS, packets, bytes, perEvent,
                (heapAtEnd - heapBefore) >> 10, EVENTS / (nanos / 1e9) / 1e6);
    }
}
