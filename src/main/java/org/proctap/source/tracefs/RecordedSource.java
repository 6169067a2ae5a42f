package org.proctap.source.tracefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import org.proctap.event.Event;
import org.proctap.metric.Metric;
import org.proctap.model.CgroupTarget;
import org.proctap.model.NameMatcher;
import org.proctap.model.Proc;
import org.proctap.model.TargetSpec;
import org.proctap.model.Task;
import org.proctap.model.TaskRegistry;
import org.proctap.report.CounterSnapshot;
import org.proctap.source.EventSource;
import org.proctap.source.SourceException;
import org.proctap.source.SourceListener;
import org.proctap.stats.EventProcessor;
import org.proctap.stats.Lifecycle;
import org.proctap.stats.RunDelays;
import org.proctap.stats.SchedAccounting;
import org.proctap.tracedat.TraceDat;
import org.proctap.tracedat.TraceDatException;
import org.proctap.tracedat.TraceDatReader;

/**
 * A recording (proctap record) as a source: its pages go through the live tracefs pipeline's
 * decoders, merger and accounting, with the recorded start (who was watched, their state from
 * /proc, the run_delay readings) in place of the machine, and tables due every interval of the
 * recording's own clock. Pages are read one at a time per stream, in time order, so a file of any
 * size reports in bounded memory.
 */
public final class RecordedSource implements EventSource {
    private final Path file;
    private final TraceDatReader.Mode mode;
    private final Set<Metric> histograms;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Throwable failure;
    private volatile boolean stop;
    private TraceDatReader reader;
    private RecordingInfo info;
    private volatile EventTap tap;
    private final RecordedProcesses processes = new RecordedProcesses();

    /**
     * Receives every event of the recording in time order, as the accounting does (before it),
     * with the registry as the accounting knows it then; and the lost-event marks.
     */
    public interface EventTap {
        void event(Event event, TaskRegistry registry);

        void lost(int cpu, long ts);
    }

    /** Sets the tap, before {@link #start}. */
    public void tap(EventTap tap) {
        this.tap = tap;
    }

    public RecordedSource(Path file, boolean partial, Set<Metric> histograms) {
        this.file = file;
        this.mode = partial ? TraceDatReader.Mode.PARTIAL : TraceDatReader.Mode.STRICT;
        this.histograms = Set.copyOf(histograms);
    }

    @Override
    public String name() {
        return "recording";
    }

    /** Opens the file and reads its metadata: a file that is not a proctap recording fails here. */
    public RecordingInfo open() {
        try {
            reader = TraceDatReader.open(FileChannel.open(file, StandardOpenOption.READ), mode);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SourceException("cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw new SourceException("cannot read " + file + ": " + e.getMessage());
        } catch (TraceDatException e) {
            throw new SourceException(file + ": " + e.getMessage());
        }
        TraceDat dat = reader.file();
        byte[] section = dat.proctapSection().orElse(null);
        if (section == null) {
            if (!hasCharges(dat)) {
                throw new SourceException(file + ": no sched:sched_stat_runtime events, which on-CPU time is made "
                        + "of: record them too (trace-cmd -e sched_stat_runtime), or use proctap record");
            }
            info = foreign(dat);
            return info;
        }
        try {
            info = RecordingInfo.parse(section);
            return info;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SourceException(file + ": proctap section does not parse: " + oneLine(e.getOriginalMessage())
                    + (e.getLocation() != null ? " at byte " + e.getLocation().getCharOffset() : ""));
        } catch (IOException e) {
            throw new SourceException(file + ": proctap section does not parse: " + oneLine(e.getMessage()));
        }
    }

    /**
     * A trace.dat proctap did not write (trace-cmd record or extract): one buffer, every task in
     * it watched (as exec, fork and rename events name them), no start state, no run_delay
     * readings; it ends with its last event.
     */
    private RecordingInfo foreign(TraceDat dat) {
        int cpus = 0;
        List<String> streams = new ArrayList<>();
        long start = Long.MAX_VALUE;
        for (int index = 0; index < dat.cpus().size(); index++) {
            cpus = Math.max(cpus, dat.cpus().get(index).cpu() + 1);
        }
        for (int cpu = 0; cpu < cpus; cpu++) {
            streams.add("");
        }
        for (int index = 0; index < dat.cpus().size(); index++) {
            int cpu = dat.cpus().get(index).cpu();
            long pages = reader.subBufferCount(index);
            streams.set(cpu, "s".repeat((int) Math.min(pages, Integer.MAX_VALUE - 8)));
            Iterator<ByteBuffer> it = reader.subBuffers(index);
            if (it.hasNext()) {
                PageLayout layout = PageLayout.parse(dat.header().headerPage());
                ByteBuffer first = it.next();
                start = Math.min(start, layout.timestampSize() == 8 ? first.getLong(layout.timestampOffset())
                        : Integer.toUnsignedLong(first.getInt(layout.timestampOffset())));
            }
        }
        String kernel = dat.option(org.proctap.tracedat.TraceDatOption.UNAME)
                .map(o -> o.textValue().strip()).orElse("unknown");
        return new RecordingInfo(0, kernel, Math.max(1, cpus),
                new RecordingInfo.Target("name", "", false, false, List.of(), null, false, List.of()),
                start == Long.MAX_VALUE ? 0 : start, -1, List.of(), List.of(), List.of(), new long[Math.max(1, cpus)],
                Long.MAX_VALUE, streams);
    }

    /**
     * Whether the file holds any sched_stat_runtime record (trace-cmd writes the formats of a
     * whole system whether or not its events were enabled): decodes until the first.
     */
    private boolean hasCharges(TraceDat dat) {
        List<EventFormat> formats = new ArrayList<>();
        dat.header().eventFormats().forEach((system, texts) -> texts.forEach(t -> formats.add(EventFormat.parse(system, t))));
        if (formats.stream().noneMatch(f -> f.name().equals("sched_stat_runtime"))) {
            return false;
        }
        EventDecoder events = EventDecoder.create(formats);
        PageDecoder pages = new PageDecoder(PageLayout.parse(dat.header().headerPage()),
                EventHeader.parse(dat.header().headerEvent()), dat.header().order());
        boolean[] found = {false};
        for (int index = 0; index < dat.cpus().size() && !found[0]; index++) {
            int cpu = dat.cpus().get(index).cpu();
            for (Iterator<ByteBuffer> it = reader.subBuffers(index); it.hasNext() && !found[0]; ) {
                try {
                    pages.decode(it.next(), (ts, page, at, length) -> {
                        if (events.decode(ts, cpu, page, at, length) instanceof org.proctap.event.SchedRuntime) {
                            found[0] = true;
                        }
                    });
                } catch (RuntimeException e) {
                    // (the replay names it, or passes over it with --partial)
                }
            }
        }
        return found[0];
    }

    /** The recorded target, as the live watch was asked for it. */
    public static TargetSpec target(RecordingInfo.Target t) {
        return switch (t.mode()) {
            case "name" -> TargetSpec.byName(NameMatcher.of(t.name(), t.exact(), t.regex()), t.follow());
            case "pids" -> TargetSpec.byPids(t.pids(), t.follow());
            case "cgroup" -> TargetSpec.byCgroup(new CgroupTarget(t.name(), 0, 0)); // (the path is enough here)
            default -> TargetSpec.command(t.command());
        };
    }

    @Override
    public void start(SourceListener listener, long intervalNs) {
        RecordingInfo rec = info != null ? info : open();
        try {
            prepare(rec, listener, intervalNs);
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException | IndexOutOfBoundsException
                 | NegativeArraySizeException e) {
            throw new SourceException(file + ": the recording's formats or proctap section do not parse: "
                    + oneLine(e.getMessage()));
        }
    }

    private void prepare(RecordingInfo rec, SourceListener listener, long intervalNs) {
        if (rec.cpus() <= 0 || rec.cpus() > 1 << 16 || rec.procs() == null || rec.streams() == null
                || rec.target() == null || rec.readings() == null || rec.baselines() == null) {
            throw new IllegalArgumentException("CPUs " + rec.cpus() + ", or a list missing");
        }
        TraceDat dat = reader.file();
        List<EventFormat> formats = new ArrayList<>();
        dat.header().eventFormats().forEach((system, texts) -> texts.forEach(t -> formats.add(EventFormat.parse(system, t))));
        EventDecoder eventDecoder = EventDecoder.create(formats);
        ByteOrder order = dat.header().order();
        PageLayout layout = PageLayout.parse(dat.header().headerPage());
        PageDecoder pageDecoder = new PageDecoder(layout, EventHeader.parse(dat.header().headerEvent()), order);
        int ncpu = rec.cpus();
        TaskRegistry registry = new TaskRegistry(target(rec.target()));
        for (RecordingInfo.ProcAtStart p : rec.procs()) {
            Proc proc = registry.addProcess(p.tgid(), p.name(), p.pinned());
            proc.cgroup = p.cgroup();
            for (RecordingInfo.TaskAtStart t : p.tasks()) {
                registry.addTask(proc, t.tid(), t.comm());
            }
        }
        int streamsPerCpu = RecordingInfo.INSTANCES.length();
        int[] streamCpus = new int[streamsPerCpu * ncpu];
        for (int i = 0; i < streamCpus.length; i++) {
            streamCpus[i] = i % ncpu;
        }
        long remote = rec.remoteChargesFromNs();
        StreamMerger merger = new StreamMerger(streamCpus, pageDecoder, eventDecoder, new PagePool(64),
                (stream, e) -> KernelFilter.counts(stream >= 2 * ncpu, e, remote));
        long t0 = rec.startNs();
        SchedAccounting accounting = new SchedAccounting(registry, ncpu, t0, histograms);
        for (RecordingInfo.Baseline b : rec.baselines()) {
            Task t = registry.task(b.tid());
            if (t != null) {
                accounting.baseline(t, b.stateBits(), b.cpu(), b.runDelayNs(), b.readNs(), t0);
            }
        }
        Lifecycle lifecycle = new Lifecycle(registry, accounting, listener::onReport, new Lifecycle.KernelFilter() {
            @Override
            public void watch(int tid, String comm, Why why) {
                // the kernel's filter did this while recording
            }

            @Override
            public void forget(int tid) {
            }
        }, eventDecoder.hasGroupDead(), processes);
        EventProcessor processor = new EventProcessor(accounting, lifecycle);
        listener.onStart(t0);
        Thread.ofPlatform().name("proctap-report").start(() -> {
            try {
                replay(rec, dat, pageDecoder, eventDecoder, merger, processor, accounting, registry, listener,
                        intervalNs, ncpu);
            } catch (Throwable e) {
                failure = e;
            } finally {
                ended.countDown();
            }
        });
    }

    /**
     * One stream's pages (one instance's on one CPU), in file order, with the next page's time.
     * Each page is checked here first (EventDecoder.check), so that one that does not parse is
     * named where it is (and passed over with --partial) before the merger decodes it.
     */
    private final class Cursor {
        final int stream;
        final int index;
        final int cpu;
        final char letter;
        final String letters;
        final TraceDatReader.SubBuffers pages;
        final PageLayout layout;
        final PageDecoder pageDecoder;
        final EventDecoder eventDecoder;
        int pos = -1;
        ByteBuffer next;
        long nextTs;

        Cursor(int stream, int index, int cpu, char letter, String letters, PageDecoder pageDecoder,
               EventDecoder eventDecoder) {
            this.stream = stream;
            this.index = index;
            this.cpu = cpu;
            this.letter = letter;
            this.letters = letters;
            this.pages = reader.subBuffers(index);
            this.layout = pageDecoder.layout();
            this.pageDecoder = pageDecoder;
            this.eventDecoder = eventDecoder;
            advance();
        }

        void advance() {
            next = null;
            while (pages.hasNext()) {
                pos++;
                if (pos >= letters.length() || letters.charAt(pos) != letter) {
                    pages.skip(); // another instance's page
                    continue;
                }
                ByteBuffer b = pages.next();
                try {
                    pageDecoder.decode(b.duplicate().order(b.order()),
                            (ts, page, at, length) -> eventDecoder.check(page, at, length));
                } catch (RuntimeException e) {
                    if (mode == TraceDatReader.Mode.STRICT) {
                        throw new SourceException(file + ": " + reader.where(index, pos) + " does not parse ("
                                + oneLine(e.getMessage()) + "); --partial reports the rest");
                    }
                    skipped++;
                    continue;
                }
                next = b;
                nextTs = layout.timestampSize() == 8 ? b.getLong(layout.timestampOffset())
                        : Integer.toUnsignedLong(b.getInt(layout.timestampOffset()));
                return;
            }
        }
    }

    /** Pages passed over with --partial because they did not parse. */
    private volatile long skipped;

    private void replay(RecordingInfo rec, TraceDat dat, PageDecoder pageDecoder, EventDecoder eventDecoder,
                        StreamMerger merger,
                        EventProcessor processor, SchedAccounting accounting, TaskRegistry registry,
                        SourceListener listener, long intervalNs, int ncpu) {
        PriorityQueue<Cursor> queue = new PriorityQueue<>((a, b) -> Long.compare(a.nextTs, b.nextTs));
        for (int index = 0; index < dat.cpus().size(); index++) {
            int cpu = dat.cpus().get(index).cpu();
            String letters = cpu < rec.streams().size() ? rec.streams().get(cpu) : "";
            for (int i = 0; i < RecordingInfo.INSTANCES.length(); i++) {
                int stream = i * ncpu + cpu;
                Cursor c = new Cursor(stream, index, cpu, RecordingInfo.INSTANCES.charAt(i), letters, pageDecoder,
                        eventDecoder);
                if (c.next == null) {
                    merger.accept(new Chunk.Mark(stream, Long.MAX_VALUE, true));
                } else {
                    merger.accept(new Chunk.Mark(stream, c.nextTs, false));
                    queue.add(c);
                }
            }
        }
        for (int stream = 0; stream < RecordingInfo.INSTANCES.length() * ncpu; stream++) {
            int s = stream;
            if (queue.stream().noneMatch(c -> c.stream == s) && s % ncpu >= dat.cpus().size()) {
                merger.accept(new Chunk.Mark(stream, Long.MAX_VALUE, true)); // a CPU with no data at all
            }
        }
        EventTap t = tap;
        long[] lastTs = {Long.MIN_VALUE};
        StreamMerger.Sink sink = new StreamMerger.Sink() {
            @Override
            public void onEvent(Event event) {
                lastTs[0] = Math.max(lastTs[0], event.ts());
                processes.learn(event);
                if (t != null) {
                    t.event(event, registry);
                }
                processor.accept(event);
            }

            @Override
            public void onLost(int stream, int cpu, long ts, long count) {
                if (stream < ncpu) {
                    accounting.onLost(ts, cpu);
                    if (t != null) {
                        t.lost(cpu, ts);
                    }
                }
            }
        };
        long t0 = rec.startNs();
        // a foreign file ends with its last event
        long stopNs = rec.stopNs() >= 0 ? rec.stopNs() : Long.MAX_VALUE;
        long nextBoundary = intervalNs > 0 ? t0 + intervalNs : Long.MAX_VALUE;
        long due = nextBoundary;
        while (!stop) {
            Cursor c = queue.poll();
            if (c != null) {
                byte[] page = new byte[c.next.remaining()];
                c.next.duplicate().get(page);
                merger.accept(new Chunk.Page(c.stream, page, page.length));
                c.advance();
                if (c.next != null) {
                    merger.accept(new Chunk.Mark(c.stream, c.nextTs, false));
                    queue.add(c);
                } else {
                    merger.accept(new Chunk.Mark(c.stream, Long.MAX_VALUE, true));
                }
            }
            while (nextBoundary < stopNs && (c != null || nextBoundary <= lastTs[0])) {
                merger.drain(nextBoundary, sink);
                if (c != null && merger.horizon() < nextBoundary) {
                    break; // (what can be ordered before the boundary went on)
                }
                RunDelays reading = reading(rec, due, registry);
                if (reading.endNs() > nextBoundary) {
                    nextBoundary = reading.endNs();
                    continue;
                }
                listener.onSnapshot(accounting.snapshot(nextBoundary, false, new long[ncpu], reading));
                due += intervalNs;
                nextBoundary = Math.max(due, nextBoundary + 1);
            }
            if (nextBoundary >= stopNs) {
                // no table due before the end: what can be ordered goes on, so that the merger
                // holds a few pages, not the file
                merger.drain(Long.MAX_VALUE, sink); // (it emits only what can be ordered already)
            }
            if (c == null) {
                break;
            }
        }
        merger.drain(Long.MAX_VALUE, sink);
        if (stopNs == Long.MAX_VALUE) {
            stopNs = Math.max(t0, lastTs[0]);
        }
        if (skipped > 0) {
            listener.onNotice(file + ": " + skipped + " sub-buffers did not parse and were passed over (--partial)");
        }
        for (String problem : dat.problems()) {
            listener.onNotice(file + ": " + problem + " (--partial)");
        }
        long[] lost = rec.lost() != null && rec.lost().length == ncpu ? rec.lost() : new long[ncpu];
        CounterSnapshot fin = accounting.snapshot(stopNs, true, lost, reading(rec, stopNs, registry));
        listener.onSnapshot(fin);
    }

    /**
     * The recorded run_delay reading of the table due at {@code due}, with today's incarnations of
     * its tasks; none when the recording has no reading there (another interval than recorded).
     */
    private static RunDelays reading(RecordingInfo rec, long due, TaskRegistry registry) {
        for (RecordingInfo.Reading r : rec.readings()) {
            if (r.dueNs() == due) {
                RunDelays out = new RunDelays();
                for (RecordingInfo.TaskReading t : r.tasks()) {
                    Task task = registry.task(t.tid());
                    out.put(t.tid(), task != null ? task.incarnation : t.incarnation(), t.runDelayNs(), t.cutNs());
                }
                out.end(r.endNs());
                return out;
            }
        }
        return RunDelays.NONE;
    }

    /** A message as one line: what the user sees is one line. */
    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    @Override
    public void stop() {
        stop = true;
    }

    @Override
    public void awaitEnd() throws InterruptedException {
        ended.await();
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException e) {
                // read-only
            }
        }
    }
}
