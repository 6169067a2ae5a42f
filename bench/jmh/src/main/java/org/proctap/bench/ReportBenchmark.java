package org.proctap.bench;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
import org.proctap.model.TaskRegistry;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.Report;
import org.proctap.source.SourceListener;
import org.proctap.source.tracefs.EventDecoder;
import org.proctap.source.tracefs.EventFormat;
import org.proctap.source.tracefs.EventHeader;
import org.proctap.source.tracefs.PageDecoder;
import org.proctap.source.tracefs.PageLayout;
import org.proctap.source.tracefs.RecordedSource;
import org.proctap.tracedat.TraceDat;
import org.proctap.tracedat.TraceDatReader;

/**
 * proctap report's path over a recording ({@code -p file=PATH}, e.g. proctap record of the pipe
 * storm; bench/report makes one): {@code decode} reads every sub-buffer from the file and decodes
 * every record into an event (what the report decodes; {@code events} counts the records of the
 * events proctap models); {@code report} is the whole report, the
 * recording replayed in time order through the merger and the accounting to its final table.
 * The {@code events} counter reports the recording's events per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReportBenchmark {

    @Param({""})
    public String file;

    private Path path;
    /** The recording's events, as the report's replay hands them on. */
    private long events;

    /** Events per benchmark operation; JMH reports the count per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Events {
        public long events;

        @Setup(Level.Iteration)
        public void reset() {
            events = 0;
        }
    }

    @Setup
    public void open() throws Exception {
        if (file.isEmpty() || !Files.isRegularFile(Path.of(file))) {
            throw new IllegalStateException("give a recording: -p file=PATH (bench/report records one)");
        }
        path = Path.of(file);
        long[] n = {0};
        RecordedSource source = new RecordedSource(path, false, Set.of());
        source.tap(new RecordedSource.EventTap() {
            @Override
            public void event(Event event, TaskRegistry registry) {
                n[0]++;
            }

            @Override
            public void lost(int cpu, long ts) {
            }
        });
        run(source);
        events = n[0];
    }

    /** Every sub-buffer read from the file, every record decoded into an event. */
    @Benchmark
    public void decode(Events counters, Blackhole bh) throws Exception {
        try (TraceDatReader reader = TraceDatReader.open(FileChannel.open(path, StandardOpenOption.READ),
                TraceDatReader.Mode.STRICT)) {
            TraceDat dat = reader.file();
            List<EventFormat> formats = new ArrayList<>();
            dat.header().eventFormats().forEach((system, texts) -> texts.forEach(t -> formats.add(EventFormat.parse(system, t))));
            EventDecoder eventDecoder = EventDecoder.create(formats);
            PageDecoder pageDecoder = new PageDecoder(PageLayout.parse(dat.header().headerPage()),
                    EventHeader.parse(dat.header().headerEvent()), dat.header().order());
            long decoded = 0;
            for (int index = 0; index < dat.cpus().size(); index++) {
                int cpu = dat.cpus().get(index).cpu();
                long[] count = {0};
                for (var it = reader.subBuffers(index); it.hasNext(); ) {
                    ByteBuffer page = it.next();
                    pageDecoder.decode(page, (ts, b, at, length) -> {
                        Event e = eventDecoder.decode(ts, cpu, b, at, length);
                        if (e != null) {
                            bh.consume(e);
                            count[0]++;
                        }
                    });
                }
                decoded += count[0];
            }
            counters.events += decoded;
        }
    }

    /** The whole report: replayed in time order, accounted, to the final table. */
    @Benchmark
    public void report(Events counters, Blackhole bh) throws Exception {
        bh.consume(run(new RecordedSource(path, false, Set.of())));
        counters.events += events;
    }

    private static CounterSnapshot run(RecordedSource source) throws Exception {
        CounterSnapshot[] last = {null};
        try (source) {
            source.open();
            source.start(new SourceListener() {
                @Override
                public void onStart(long ts) {
                }

                @Override
                public void onReport(Report report) {
                }

                @Override
                public void onSnapshot(CounterSnapshot snapshot) {
                    last[0] = snapshot;
                }

                @Override
                public void onNotice(String message) {
                }
            }, 0);
            source.awaitEnd();
            if (source.failure() != null) {
                throw new IllegalStateException("the report failed", source.failure());
            }
        }
        return last[0];
    }
}
