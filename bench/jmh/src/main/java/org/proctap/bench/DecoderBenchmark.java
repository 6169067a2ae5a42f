package org.proctap.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.proctap.event.Event;
import org.proctap.source.tracefs.EventDecoder;
import org.proctap.source.tracefs.EventFormat;
import org.proctap.source.tracefs.EventHeader;
import org.proctap.source.tracefs.PageDecoder;
import org.proctap.source.tracefs.PageLayout;
import org.proctap.source.tracefs.RecordVisitor;

/**
 * Decodes the real ring-buffer pages of a recorded fixture (src/test/resources/fixtures), as the
 * tracefs reader does: {@link PageDecoder} walks each sub-buffer, {@link EventDecoder} turns each
 * record into an {@link Event}. The {@code events} counter reports decoded events per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecoderBenchmark {

    @Param({"fixtures/linux-6.18/process-lifecycle"})
    public String fixture;

    private List<ByteBuffer> pages;
    private PageDecoder pageDecoder;
    private EventDecoder eventDecoder;
    private int[] pageCpu;

    /** Events decoded by decodeEvents; JMH reports the count per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Events {
        public long events;

        @Setup(Level.Iteration)
        public void reset() {
            events = 0;
        }
    }

    /** Records walked by walkRecords; JMH reports the count per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Records {
        public long records;

        @Setup(Level.Iteration)
        public void reset() {
            records = 0;
        }
    }

    @Setup
    public void load() {
        Properties manifest = new Properties();
        try {
            manifest.load(new StringReader(text("manifest.properties")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<EventFormat> formats = new ArrayList<>();
        for (String event : manifest.getProperty("events").split(" ")) {
            formats.add(EventFormat.parse(event.substring(0, event.indexOf('/')), text("formats/" + event)));
        }
        ByteOrder order = manifest.getProperty("byte_order").equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        pageDecoder = new PageDecoder(PageLayout.parse(text("header_page")), EventHeader.parse(text("header_event")), order);
        eventDecoder = EventDecoder.create(formats);
        int subbuf = Integer.parseInt(manifest.getProperty("subbuf_bytes"));
        pages = new ArrayList<>();
        List<Integer> cpus = new ArrayList<>();
        for (int cpu = 0; cpu < Integer.parseInt(manifest.getProperty("cpus")); cpu++) {
            byte[] raw = bytes("cpu" + cpu + ".raw");
            for (int at = 0; at < raw.length; at += subbuf) {
                // Each sub-buffer in its own direct buffer, like pages read from trace_pipe_raw.
                ByteBuffer page = ByteBuffer.allocateDirect(subbuf).order(order);
                page.put(raw, at, subbuf).clear();
                pages.add(page);
                cpus.add(cpu);
            }
        }
        pageCpu = cpus.stream().mapToInt(Integer::intValue).toArray();
    }

    /** PageDecoder + EventDecoder over every page: the reader's full per-event cost. */
    @Benchmark
    public void decodeEvents(Events counters, Blackhole bh) {
        long events = 0;
        for (int i = 0; i < pages.size(); i++) {
            int cpu = pageCpu[i];
            EventSink sink = new EventSink(eventDecoder, cpu, bh);
            pageDecoder.decode(pages.get(i), sink);
            events += sink.events;
        }
        counters.events += events;
    }

    /** PageDecoder alone: walking the records and their timestamps. */
    @Benchmark
    public void walkRecords(Records counters, Blackhole bh) {
        long records = 0;
        for (ByteBuffer page : pages) {
            records += pageDecoder.decode(page, (ts, b, off, len) -> bh.consume(ts)).records();
        }
        counters.records += records;
    }

    private static final class EventSink implements RecordVisitor {
        private final EventDecoder decoder;
        private final int cpu;
        private final Blackhole bh;
        long events;

        EventSink(EventDecoder decoder, int cpu, Blackhole bh) {
            this.decoder = decoder;
            this.cpu = cpu;
            this.bh = bh;
        }

        @Override
        public void onRecord(long timestamp, ByteBuffer page, int offset, int length) {
            Event e = decoder.decode(timestamp, cpu, page, offset, length);
            bh.consume(e);
            events++;
        }
    }

    private String text(String file) {
        return new String(bytes(file), StandardCharsets.UTF_8);
    }

    private byte[] bytes(String file) {
        String resource = "/" + fixture + "/" + file;
        try (InputStream in = DecoderBenchmark.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " in the benchmark jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
