package org.proctap.source.tracefs;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.proctap.event.Event;
import org.proctap.metric.Metric;
import org.proctap.model.InitialScan;
import org.proctap.model.NameMatcher;
import org.proctap.model.TargetSpec;
import org.proctap.model.Task;
import org.proctap.model.TaskRegistry;
import org.proctap.proc.TaskCounters;
import org.proctap.report.CounterSnapshot;
import org.proctap.source.EventSource;
import org.proctap.source.SourceException;
import org.proctap.source.SourceListener;
import org.proctap.stats.EventProcessor;
import org.proctap.stats.Lifecycle;
import org.proctap.stats.RunDelays;
import org.proctap.stats.SchedAccounting;
import org.proctap.sys.Cpus;

/**
 * The tracefs source: three instances of its own, one reader thread ({@link PagePoller}) that only
 * copies raw pages from every CPU's buffer of each, and one processing thread that decodes, merges
 * by timestamp and accounts.
 */
public final class TracefsSource implements EventSource {
    /** -Dproctap.tracefs.filter=pid forces the pid-list strategy (default: chosen per run, see KernelFilter). */
    public static final String FILTER_PROPERTY = "proctap.tracefs.filter";

    private final TargetSpec spec;
    private final List<Integer> pinnedPids;
    private final Config config;
    private final Set<Metric> histograms;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private volatile PagePoller poller;
    private final List<Thread> threads = new ArrayList<>();
    /**
     * 4096 chunks: ~16 MB of 4 KB pages when the processing thread falls behind (its output
     * blocked, e.g. piped into a pager nobody scrolls); the readers then wait and the kernel's
     * buffers take the rest. 65 536 (256 MB) did not fit the launcher's 64 MB heap: the
     * readers died of OutOfMemoryError within seconds of a storm.
     */
    private final ChunkQueue queue = new ChunkQueue(4096);
    /** Free page arrays: 1024 x 4 KB, more than the readers hand over between two wake-ups on a storm. */
    private final PagePool pagePool = new PagePool(1024);
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Throwable failure;
    private volatile long stopTs = -1;
    private TraceInstance sched;
    private TraceInstance life;
    private TraceInstance charges;
    private RunDelaySampler runDelays;
    private KernelFilter filter;
    private boolean closed;
    private final Recording recording;
    /** The format texts of every event enabled, by system, for a recording. */
    private final java.util.Map<String, List<String>> formatTexts = new java.util.LinkedHashMap<>();

    /** The charges instance's buffer until it is used (the kernel's minimum is a few pages). */
    private static final int CHARGES_IDLE_KB = 16;

    /** Buffer sizes and wake-up cadence. */
    public record Config(int schedBufferKb, int lifeBufferKb, int pollMs) {
        /**
         * 8 MB per CPU holds ~0.4 s of a context-switch storm (~19 MB/s measured with
         * perf bench sched pipe); readers wake every 100 ms or at half full.
         */
        public static final Config DEFAULT = new Config(8192, 1024, 100);
    }

    /**
     * @param pinnedPids processes proctap started (the command), watched with all descendants
     */
    public TracefsSource(TargetSpec spec, List<Integer> pinnedPids, Config config) {
        this(spec, pinnedPids, config, Set.of());
    }

    /** @param histograms the histograms asked for (--hist) */
    public TracefsSource(TargetSpec spec, List<Integer> pinnedPids, Config config, Set<Metric> histograms) {
        this(spec, pinnedPids, config, histograms, null);
    }

    /** @param recording where every page read goes too (proctap record), or null */
    public TracefsSource(TargetSpec spec, List<Integer> pinnedPids, Config config, Set<Metric> histograms,
                         Recording recording) {
        this.spec = spec;
        this.pinnedPids = List.copyOf(pinnedPids);
        this.config = config;
        this.histograms = Set.copyOf(histograms);
        this.recording = recording;
    }

    @Override
    public String name() {
        return "tracefs";
    }

    @Override
    public void start(SourceListener listener, long intervalNs) {
        Tracefs tracefs = Tracefs.locateOrMount();
        if (tracefs.mountedByUs()) {
            listener.onNotice("mounted tracefs at " + tracefs.root());
        }
        TraceInstance.removeStale(tracefs); // (normally done already by Sources.removeStaleInstances, quietly here)
        long self = ProcessHandle.current().pid();
        sched = TraceInstance.create(tracefs, TraceInstance.PREFIX + self);
        closeables.add(sched);
        life = TraceInstance.create(tracefs, TraceInstance.PREFIX + self + "-life");
        closeables.add(life);
        charges = TraceInstance.create(tracefs, TraceInstance.PREFIX + self + "-charges");
        closeables.add(charges);

        List<EventFormat> formats = new ArrayList<>();
        configure(sched, config.schedBufferKb(), 50, EventPlan.SCHED, formats, listener);
        List<EventPlan.Tracepoint> lifePlan = EventPlan.LIFE;
        if (spec.mode() == TargetSpec.Mode.CGROUP) {
            lifePlan = new ArrayList<>(EventPlan.LIFE);
            lifePlan.addAll(EventPlan.CGROUP);
        }
        configure(life, config.lifeBufferKb(), 0, lifePlan, formats, listener);
        if (spec.mode() == TargetSpec.Mode.CGROUP) {
            life.filter("cgroup", "cgroup_attach_task", "dst_root == 0"); // (v2: hierarchy 0 in /proc/PID/cgroup)
        }
        // (grown to the scheduling instance's size if the pid list is ever used, see KernelFilter)
        configure(charges, CHARGES_IDLE_KB, 50, List.of(), formats, listener);
        for (String event : KernelFilter.REMOTE) {
            EventFormat f = charges.format("sched", event);
            if (formats.stream().noneMatch(x -> x.id() == f.id())) {
                formats.add(f);
                formatTexts.computeIfAbsent("sched", x -> new ArrayList<>()).add(charges.formatText("sched", event));
            }
        }

        EventDecoder eventDecoder = EventDecoder.create(formats);
        // The instance's own header_page: it follows the instance's sub-buffer size.
        PageLayout layout = PageLayout.parse(sched.headerPage());
        PageDecoder pageDecoder = new PageDecoder(layout, EventHeader.parse(sched.headerEvent()), ByteOrder.nativeOrder());

        TaskRegistry registry = new TaskRegistry(spec);
        List<Integer> tids = InitialScan.run(registry, pinnedPids, self);
        String glob = spec.mode() == TargetSpec.Mode.NAME && !spec.follow() ? spec.matcher().kernelGlob() : null;
        filter = new KernelFilter(sched, charges, EventPlan.SCHED, spec.matcher(), glob,
                () -> registry.watchedTasks().stream().map(t -> t.tid).toList(),
                () -> registry.watchedProcs().stream().map(p -> p.tgid).toList(),
                () -> registry.watchedTasks().stream().map(t -> t.comm).toList());
        boolean everyCommMatches = glob != null
                && registry.watchedTasks().stream().allMatch(t -> spec.matcher().matches(t.comm));
        filter.start(!System.getProperty(FILTER_PROPERTY, "auto").equals("pid"), tids, everyCommMatches);

        int ncpu = Cpus.possible();
        int subbuf = subbufSize(sched);
        TraceInstance[] instances = {sched, life, charges};
        int[] streamCpus = new int[instances.length * ncpu];
        NameMatcher fastMatcher = spec.mode() == TargetSpec.Mode.NAME ? spec.matcher() : null;
        List<PageReader> readers = new ArrayList<>();
        for (int i = 0; i < streamCpus.length; i++) {
            TraceInstance instance = instances[i / ncpu];
            boolean isLife = instance == life;
            int cpu = i % ncpu;
            streamCpus[i] = cpu;
            readers.add(new PageReader(i, instance.rawPipe(cpu), instance == sched ? subbuf : subbufSize(instance),
                    pagePool, isLife
                            ? new LifeFastPath(pageDecoder, eventDecoder, fastMatcher, spec.cgroup(), cpu, sched, filter)
                            : null));
        }
        poller = new PagePoller(readers, queue, config.pollMs());
        Thread reading = Thread.ofPlatform().name("proctap-read").daemon().unstarted(poller);
        threads.add(reading);
        reading.start();

        long t0 = System.nanoTime();
        charges.tracingOn(true);
        life.tracingOn(true);
        sched.tracingOn(true);
        // Tasks born between the scan and the filter write (the filter follows them from now on).
        for (int tid : InitialScan.rescan(registry, self)) {
            var t = registry.task(tid);
            filter.watch(tid, t != null ? t.comm : "", Lifecycle.KernelFilter.Why.ADOPTED);
        }

        StreamMerger merger = new StreamMerger(streamCpus, pageDecoder, eventDecoder, pagePool,
                (stream, e) -> filter.counts(stream >= 2 * ncpu, e));
        SchedAccounting accounting = new SchedAccounting(registry, ncpu, t0, histograms);
        // Each task watched at the start is off its CPU since then, or waiting, as /proc says.
        List<RecordingInfo.Baseline> baselines = new ArrayList<>();
        for (Task t : registry.watchedTasks()) {
            long readNs = System.nanoTime();
            TaskCounters c = TaskCounters.read(t.tgid(), t.tid);
            if (c != null) {
                accounting.baseline(t, c.stateBits(), c.cpu(), c.runDelayNs(), readNs, t0);
                baselines.add(new RecordingInfo.Baseline(t.tid, c.stateBits(), c.cpu(), c.runDelayNs(), readNs));
            }
        }
        if (recording != null) {
            recording.begin(ncpu, new org.proctap.tracedat.TraceDatHeader(ByteOrder.nativeOrder(), Long.BYTES, subbuf,
                    sched.headerPage(), sched.headerEvent(), List.of(), formatTexts, "mono"), t0,
                    procsAtStart(registry), baselines);
        }
        runDelays = new RunDelaySampler(t0, intervalNs);
        closeables.add(runDelays);
        runDelays.publish(registry.watchedTasks());
        Lifecycle lifecycle = new Lifecycle(registry, accounting, listener::onReport, filter,
                eventDecoder.hasGroupDead());
        EventProcessor processor = new EventProcessor(accounting, lifecycle);
        listener.onStart(t0);
        Thread processing = Thread.ofPlatform().name("proctap-process").unstarted(
                () -> process(merger, processor, accounting, registry, listener, t0, intervalNs, ncpu, streamCpus));
        threads.add(processing);
        processing.start();
        runDelays.start();
    }

    private void configure(TraceInstance instance, int bufferKb, int bufferPercent, List<EventPlan.Tracepoint> plan,
                           List<EventFormat> formats, SourceListener listener) {
        instance.write("trace_clock", "mono");
        instance.write("buffer_size_kb", Integer.toString(bufferKb));
        if (instance.exists("buffer_percent")) {
            instance.write("buffer_percent", Integer.toString(bufferPercent));
        }
        for (EventPlan.Tracepoint tp : plan) {
            if (!instance.hasEvent(tp.system(), tp.name())) {
                if (tp.required()) {
                    throw new SourceException("this kernel has no tracepoint " + tp.system() + ":" + tp.name());
                }
                listener.onNotice("this kernel has no tracepoint " + tp.system() + ":" + tp.name()
                        + ": " + consequence(tp));
                continue;
            }
            EventFormat format = instance.format(tp.system(), tp.name());
            if (formats.stream().noneMatch(f -> f.id() == format.id())) {
                formats.add(format); // (an event enabled in both instances has one format)
                formatTexts.computeIfAbsent(tp.system(), x -> new ArrayList<>())
                        .add(instance.formatText(tp.system(), tp.name()));
            }
            instance.enable(tp.system(), tp.name());
        }
    }

    private static String consequence(EventPlan.Tracepoint tp) {
        return switch (tp.system()) {
            case "irq_vectors" -> "the hrtimer columns stay 0 (x86 only)";
            case "syscalls" -> "fork and exec lines may not name the system call";
            default -> "exit statuses may show as unknown";
        };
    }

    private static int subbufSize(TraceInstance instance) {
        if (instance.exists("buffer_subbuf_size_kb")) {
            return Integer.parseInt(instance.read("buffer_subbuf_size_kb").strip()) * 1024;
        }
        return 4096;
    }

    /** Who was watched when tracing began, for a recording. */
    private static List<RecordingInfo.ProcAtStart> procsAtStart(TaskRegistry registry) {
        java.util.Map<Integer, List<RecordingInfo.TaskAtStart>> tasks = new java.util.LinkedHashMap<>();
        for (Task t : registry.watchedTasks()) {
            tasks.computeIfAbsent(t.tgid(), x -> new ArrayList<>()).add(new RecordingInfo.TaskAtStart(t.tid, t.comm));
        }
        List<RecordingInfo.ProcAtStart> out = new ArrayList<>();
        for (var p : registry.procs()) {
            out.add(new RecordingInfo.ProcAtStart(p.tgid, p.name, p.pinned, tasks.getOrDefault(p.tgid, List.of()),
                    p.cgroup));
        }
        return out;
    }

    private void process(StreamMerger merger, EventProcessor processor, SchedAccounting accounting,
                         TaskRegistry registry, SourceListener listener, long t0, long intervalNs, int ncpu,
                         int[] streamCpus) {
        java.io.PrintWriter debug = debugWriter();
        StreamMerger.Sink sink = new StreamMerger.Sink() {
            @Override
            public void onEvent(Event event) {
                if (debug != null) {
                    debug.println(event);
                }
                processor.accept(event);
            }

            @Override
            public void onLost(int stream, int cpu, long ts, long count) {
                if (stream < ncpu) {
                    accounting.onLost(ts, cpu); // how many: the kernel's stats, read per snapshot
                }
            }
        };
        long nextBoundary = intervalNs > 0 ? t0 + intervalNs : Long.MAX_VALUE;
        long due = nextBoundary; // where the table is due; it ends where its run_delay reading did
        RunDelays reading = null;
        long published = System.nanoTime();
        List<Chunk> batch = new ArrayList<>();
        try {
            while (true) {
                batch.clear();
                if (queue.takeAll(batch, 50) > 0) {
                    for (Chunk c : batch) {
                        if (recording != null && c instanceof Chunk.Page p) {
                            recording.page(p.stream(), streamCpus[p.stream()], p.data(), p.length());
                        }
                        merger.accept(c);
                    }
                }
                while (true) {
                    merger.drain(nextBoundary, sink);
                    if (nextBoundary == Long.MAX_VALUE || merger.horizon() < nextBoundary) {
                        break;
                    }
                    if (stopTs >= 0 && nextBoundary >= stopTs) {
                        break; // the final snapshot covers it
                    }
                    if (reading == null) {
                        reading = runDelays.at(due);
                        if (recording != null) {
                            recording.reading(due, reading);
                        }
                        if (reading.endNs() > nextBoundary) {
                            nextBoundary = reading.endNs();
                            continue;
                        }
                    }
                    listener.onSnapshot(snapshot(accounting, nextBoundary, false, ncpu, reading));
                    runDelays.publish(registry.watchedTasks());
                    reading = null;
                    due += intervalNs;
                    nextBoundary = Math.max(due, nextBoundary + 1);
                }
                if (System.nanoTime() - published > PUBLISH_NS) {
                    // tasks born since are read too, the final reading at the stop included
                    runDelays.publish(registry.watchedTasks());
                    published = System.nanoTime();
                }
                if (merger.allEnded()) {
                    merger.drain(Long.MAX_VALUE, sink);
                    if (debug != null) {
                        debug.close();
                    }
                    RunDelays last = runDelays.at(stopTs);
                    CounterSnapshot fin = snapshot(accounting, stopTs, true, ncpu, last);
                    if (recording != null) {
                        recording.reading(stopTs, last);
                        java.util.Map<Integer, String> comms = new java.util.TreeMap<>();
                        for (RecordingInfo.ProcAtStart p : procsAtStart(registry)) {
                            p.tasks().forEach(t -> comms.put(t.tid(), t.comm()));
                        }
                        recording.end(stopTs, fin.lostPerCpu(), filter.remoteChargesFrom(), comms);
                    }
                    listener.onSnapshot(fin);
                    return;
                }
            }
        } catch (Throwable t) {
            org.proctap.sys.HeapReserve.releaseIf(t);
            failure = t;
            queue.abandon(); // (the readers stop waiting to hand over pages, and can close their files)
            try {
                stopKernel(); // (tracing is off before its final reading, which may fail the same way)
            } catch (Throwable again) {
                t.addSuppressed(again);
            }
        } finally {
            ended.countDown();
        }
    }

    /** How often the processing thread tells the run_delay reader which tasks are watched. */
    private static final long PUBLISH_NS = TimeUnit.MILLISECONDS.toNanos(100);

    /** -Dproctap.debug.events=FILE writes every merged event, for diagnosing the accounting. */
    private static java.io.PrintWriter debugWriter() {
        String file = System.getProperty("proctap.debug.events");
        if (file == null) {
            return null;
        }
        try {
            return new java.io.PrintWriter(java.nio.file.Files.newBufferedWriter(java.nio.file.Path.of(file)));
        } catch (java.io.IOException e) {
            throw new SourceException("cannot write " + file + ": " + e.getMessage());
        }
    }

    private CounterSnapshot snapshot(SchedAccounting accounting, long ts, boolean fin, int ncpu, RunDelays reading) {
        long[] lost = new long[ncpu];
        for (int cpu = 0; cpu < ncpu; cpu++) {
            lost[cpu] = sched.stats(cpu).lost() + life.stats(cpu).lost() + charges.stats(cpu).lost();
        }
        return accounting.snapshot(ts, fin, lost, reading);
    }

    @Override
    public synchronized void stop() {
        if (stopTs >= 0) {
            return;
        }
        stopKernel();
        if (poller != null) {
            poller.requestStop();
        }
    }

    private synchronized void stopKernel() {
        if (stopTs >= 0) {
            return;
        }
        try {
            if (charges != null) {
                charges.tracingOn(false);
            }
            if (life != null) {
                life.tracingOn(false);
            }
            if (sched != null) {
                sched.tracingOn(false);
            }
        } finally {
            stopTs = System.nanoTime();
            if (runDelays != null) {
                runDelays.readFinal(stopTs);
            }
        }
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
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Throwable stopping = null;
        try {
            stopKernel();
        } catch (Throwable e) { // (its final reading; the instances still go below)
            stopping = e;
        }
        if (poller != null) {
            poller.requestStop();
        }
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        RuntimeException first = null;
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException re ? re : new SourceException(e.getMessage(), e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
        if (stopping instanceof RuntimeException e) {
            throw e;
        }
        if (stopping instanceof Error e) {
            throw e;
        }
    }
}
