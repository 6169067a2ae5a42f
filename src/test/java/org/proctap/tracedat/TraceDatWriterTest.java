package org.proctap.tracedat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Writer to reader: what goes in comes out, byte for byte where it is bytes. */
class TraceDatWriterTest {
    private static final byte[] PROCTAP_JSON =
            "{\"target\":\"pipe-storm\",\"kernel\":\"6.18.44\",\"cpus\":2}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"fixtures/linux-6.18/process-lifecycle", "fixtures/linux-6.18/process-lifecycle-subbuf8k"})
    void aRecordingReadsBackAsItWasWritten(String path) throws Exception {
        TracefsFixture fixture = TracefsFixture.load(path);
        Path file = dir.resolve("proctap.dat");
        Map<Integer, String> comms = Map.of(0, "<idle>", 1, "systemd", 4242, "name with blanks");
        List<TraceDatOption> options = List.of(new TraceDatOption(TraceDatOption.PROCTAP, PROCTAP_JSON),
                TraceDatOption.text(TraceDatOption.UNAME, "Linux vm 6.18.44 x86_64"));
        fixture.write(file, comms, options);
        // The temporary per-CPU files are gone.
        try (var listing = Files.list(dir)) {
            assertThat(listing).containsExactly(file);
        }
        try (TraceDatReader r = TraceDatReader.open(FileChannel.open(file))) {
            TraceDat f = r.file();
            assertThat(f.version()).isEqualTo(6);
            assertThat(f.header()).isEqualTo(fixture.header());
            assertThat(f.comms()).isEqualTo(new TreeMap<>(comms));
            assertThat(f.proctapSection()).hasValue(PROCTAP_JSON);
            assertThat(f.options()).containsExactly(TraceDatOption.text(TraceDatOption.TRACECLOCK, "[mono]"),
                    options.get(0), options.get(1));
            assertThat(f.problems()).isEmpty();
            int page = fixture.header().pageSize();
            for (int cpu = 0; cpu < fixture.pages().size(); cpu++) {
                CpuData data = f.cpus().get(cpu);
                assertThat(data.cpu()).isEqualTo(cpu);
                assertThat(data.offset() % page).as("page-aligned").isZero();
                assertThat(data.size()).isEqualTo((long) fixture.pages().get(cpu).size() * page);
                assertThat(pages(r, cpu)).isEqualTo(fixture.pages().get(cpu));
            }
            assertThat(f.cpus().getLast().end()).isEqualTo(Files.size(file));
        }
    }

    @Test
    void whileWritingNoTemporaryFileIsThereToBeLeftBehindByAKill() throws Exception {
        TracefsFixture fixture = TracefsFixture.load("fixtures/linux-6.18/process-lifecycle");
        Path file = dir.resolve("run.dat");
        Files.writeString(dir.resolve("run.dat.cpu1"), "left by a writer killed with SIGKILL");
        try (TraceDatWriter w = TraceDatWriter.create(file, fixture.header(), fixture.pages().size())) {
            for (int cpu = 0; cpu < fixture.pages().size(); cpu++) {
                for (ByteBuffer page : fixture.pages().get(cpu)) {
                    w.append(cpu, page.duplicate());
                }
            }
            try (var listing = Files.list(dir)) {
                assertThat(listing).as("mid-recording").containsExactly(file);
            }
            w.finish(Map.of(), List.of());
        }
        try (TraceDatReader r = TraceDatReader.open(FileChannel.open(file))) {
            for (int cpu = 0; cpu < fixture.pages().size(); cpu++) {
                assertThat(pages(r, cpu)).isEqualTo(fixture.pages().get(cpu));
            }
        }
    }

    @Test
    void traceCmdsOwnFileRewrittenHasTheSameEvents() throws Exception {
        Path file = dir.resolve("rewritten.dat");
        try (TraceDatReader in = Fixtures.open(Fixtures.file("sched-v7.dat"))) {
            try (TraceDatWriter w = TraceDatWriter.create(file, in.header(), in.cpuCount())) {
                for (int cpu = 0; cpu < in.cpuCount(); cpu++) {
                    for (Iterator<ByteBuffer> it = in.subBuffers(cpu); it.hasNext(); ) {
                        w.append(cpu, it.next());
                    }
                }
                w.finish(in.file().comms(), List.of());
            }
            try (TraceDatReader out = TraceDatReader.open(FileChannel.open(file))) {
                assertThat(out.header()).isEqualTo(in.header());
                assertThat(out.file().comms()).isEqualTo(in.file().comms());
                assertThat(Decoding.decode(out).events()).isEqualTo(Decoding.decode(in).events());
                assertThat(TraceDatReaderTest.pages(out)).isEqualTo(TraceDatReaderTest.pages(in));
            }
        }
    }

    @Test
    void pagesMarkedWithLostEventsAreKeptAsTheyAre() throws Exception {
        TracefsFixture fixture = TracefsFixture.load("fixtures/linux-6.18/process-lifecycle").withLostEvents();
        Path file = dir.resolve("lost.dat");
        fixture.write(file, Map.of(), List.of());
        try (TraceDatReader r = TraceDatReader.open(FileChannel.open(file))) {
            assertThat(pages(r, 0)).isEqualTo(fixture.pages().get(0));
            assertThat(pages(r, 1)).isEqualTo(fixture.pages().get(1));
            Decoding.Result decoded = Decoding.decode(r);
            assertThat(decoded.lostPages()).isEqualTo(2);
            assertThat(decoded.events()).filteredOn(e -> e.event().equals("EVENTS DROPPED"))
                    .extracting(DecodedEvent::cpu, e -> e.ids().getFirst())
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(0, -1L),
                            org.assertj.core.groups.Tuple.tuple(1, 42L));
        }
    }

    @Test
    void bigEndianNumbersAreWrittenBigEndian() throws Exception {
        TracefsFixture little = TracefsFixture.load("fixtures/linux-6.18/process-lifecycle");
        TraceDatHeader h = little.header();
        TraceDatHeader big = new TraceDatHeader(java.nio.ByteOrder.BIG_ENDIAN, 4, 8192, h.headerPage(), h.headerEvent(),
                List.of("name: function\nID: 1\n"), h.eventFormats(), "local");
        Path file = dir.resolve("big.dat");
        try (TraceDatWriter w = TraceDatWriter.create(file, big, 1)) {
            w.append(0, ByteBuffer.allocate(8192));
            w.finish(Map.of(7, "seven"), List.of(new TraceDatOption(TraceDatOption.PROCTAP, new byte[] {1, 2, 3})));
        }
        byte[] bytes = Files.readAllBytes(file);
        // "tracing6\0" ends at 12; then endianness 1, long size 4, page size 8192 as a big-endian u32.
        assertThat(Arrays.copyOfRange(bytes, 12, 18)).containsExactly(1, 4, 0, 0, 0x20, 0);
        try (TraceDatReader r = TraceDatReader.open(FileChannel.open(file))) {
            assertThat(r.header()).isEqualTo(big);
            assertThat(r.file().comms()).containsExactly(Map.entry(7, "seven"));
            assertThat(r.file().proctapSection()).hasValue(new byte[] {1, 2, 3});
            CpuData cpu = r.file().cpus().getFirst();
            assertThat(cpu.offset() % 8192).isZero();
            assertThat(cpu.size()).isEqualTo(8192);
            assertThat(cpu.end()).isEqualTo(bytes.length);
        }
    }

    @Test
    void closingWithoutFinishingLeavesNothing() throws Exception {
        TracefsFixture fixture = TracefsFixture.load("fixtures/linux-6.18/process-lifecycle");
        try (TraceDatWriter w = TraceDatWriter.create(dir.resolve("x.dat"), fixture.header(), 2)) {
            w.append(0, fixture.pages().get(0).getFirst().duplicate());
            assertThat(w.bytes(0)).isEqualTo(4096);
            assertThatThrownBy(() -> w.append(1, ByteBuffer.allocate(100)))
                    .hasMessage("sub-buffer of 100 bytes for CPU 1, the file's page size is 4096");
        }
        try (var listing = Files.list(dir)) {
            assertThat(listing).isEmpty();
        }
    }

    @Test
    void aCpuWithoutPagesHasAnEmptyRange() throws Exception {
        TracefsFixture fixture = TracefsFixture.load("fixtures/linux-6.18/process-lifecycle");
        Path file = dir.resolve("one.dat");
        try (TraceDatWriter w = TraceDatWriter.create(file, fixture.header(), 3)) {
            w.append(2, fixture.pages().get(0).getFirst().duplicate());
            w.finish(Map.of(), List.of());
        }
        try (TraceDatReader r = TraceDatReader.open(FileChannel.open(file))) {
            assertThat(r.file().cpus()).extracting(CpuData::size).containsExactly(0L, 0L, 4096L);
            assertThat(pages(r, 0)).isEmpty();
            assertThat(pages(r, 2)).containsExactly(fixture.pages().get(0).getFirst());
        }
    }

    /** 96 MB through a JVM whose heap is 16 MB: TraceDatLargeFileIT does the same with 2 GB. */
    @Test
    void aFileLargerThanTheHeapIsWrittenAndReadStreaming() throws Exception {
        LargeFiles.writeAndReadInSmallHeap(dir, 96L << 20, "16m");
    }

    private static List<ByteBuffer> pages(TraceDatReader r, int cpu) {
        List<ByteBuffer> list = new ArrayList<>();
        r.subBuffers(cpu).forEachRemaining(list::add);
        return list;
    }
}
