package org.proctap.source.bpf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.proctap.metric.Metric;
import org.proctap.metric.Values;
import org.proctap.model.InitialScan;
import org.proctap.model.NameMatcher;
import org.proctap.model.Proc;
import org.proctap.model.TargetSpec;
import org.proctap.model.Task;
import org.proctap.model.TaskRegistry;
import org.proctap.proc.ProcFs;
import org.proctap.proc.Schedstat;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuTaskCounters;
import org.proctap.source.EventSource;
import org.proctap.source.SourceException;
import org.proctap.source.SourceListener;
import org.proctap.sys.ErrnoException;
import org.proctap.sys.Pidfd;

/**
 * The eBPF source: src/main/bpf/proctap.bpf.c counts in the kernel; this class loads it with
 * libbpf, tells it what to watch, turns its ring-buffer records into live reports and reads its
 * counters at every interval boundary.
 *
 * <p>Reading without losing or double-counting: the counters are running totals the program only
 * ever increases, and this class never resets them. Each snapshot reads every counter (an
 * increment racing with the read lands in this snapshot or the next, never both or neither),
 * between two reads of the per-CPU "who runs since when" state, and adds each still-running slice
 * up to the snapshot's time. When both reads show the same slices, none of them closed while the
 * counters were read, so none is counted twice or missed; otherwise the reads are repeated (a
 * slice that closes meanwhile would be missing from this snapshot, and a 100 ms slice of a busy
 * task made one second-long interval read 896 ms and the next 1097). After a few attempts, as on
 * a context-switch storm, the last read is taken: what it misses is a slice of microseconds,
 * which the next snapshot shows. Entries of exited tasks are deleted only two snapshots after their exit, when their
 * last switch-out has long been counted and reported.
 */
public final class BpfSource implements EventSource {
    static final String OBJECT = "org/proctap/bpf/proctap.bpf.o";
    /**
     * Loads this file instead of the object in the jar: for developing the program, and for the
     * tests that check what happens when the kernel refuses it.
     */
    public static final String OBJECT_PROPERTY = "proctap.bpf.object";

    private final TargetSpec spec;
    private final List<Integer> pinnedPids;
    private final Set<Metric> histograms;
    /** Every counter, and the histograms asked for. */
    private final Set<Metric> measured;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Object lock = new Object();
    private volatile boolean stopRequested;
    private volatile Throwable failure;
    private Libbpf lib;
    private BpfObject object;
    private List<BpfLink> links = List.of();
    private RingBuffer ring;
    private Thread thread;
    private boolean closed;
    private TaskRegistry registry;
    private EventTranslator translator;
    private int ncpu;
    private long detachTs = -1;
    private final Map<Integer, Integer> exitedAt = new HashMap<>();
    private int snapshots;

    public BpfSource(TargetSpec spec, List<Integer> pinnedPids) {
        this(spec, pinnedPids, Set.of());
    }

    /** @param histograms the histograms to fill (--hist); the program does no work for the others */
    public BpfSource(TargetSpec spec, List<Integer> pinnedPids, Set<Metric> histograms) {
        this.spec = spec;
        this.pinnedPids = List.copyOf(pinnedPids);
        this.histograms = Set.copyOf(histograms);
        EnumSet<Metric> m = EnumSet.allOf(Metric.class);
        m.removeIf(x -> x.isHistogram() && !this.histograms.contains(x));
        this.measured = Set.copyOf(m);
    }

    @Override
    public String name() {
        return "bpf";
    }

    /**
     * Loads the program (without attaching): throws {@link BpfUnavailableException} when libbpf is
     * missing, {@link LibbpfException} when the kernel refuses. Lets "auto" fall back before
     * anything else happened.
     */
    public void load() throws BpfUnavailableException {
        lib = Libbpf.get();
        LibbpfException first = null;
        for (boolean syscallNr : new boolean[] {true, false}) {
            BpfObject obj = openObject();
            try {
                configure(obj, syscallNr);
                obj.load();
                object = obj;
                return;
            } catch (LibbpfException e) {
                obj.close();
                if (first == null) {
                    first = e;
                }
                // bpf_task_pt_regs may be refused for raw tracepoints: retry without naming syscalls
            } catch (RuntimeException e) {
                obj.close();
                throw e;
            }
        }
        throw first;
    }

    private BpfObject openObject() throws BpfUnavailableException {
        String file = System.getProperty(OBJECT_PROPERTY);
        if (file == null) {
            return BpfObject.openResource(lib, OBJECT);
        }
        try {
            return BpfObject.open(lib, "proctap", Files.readAllBytes(Path.of(file)));
        } catch (java.io.IOException e) {
            throw new BpfUnavailableException("cannot read " + file + " (-D" + OBJECT_PROPERTY + "): " + e.getMessage());
        }
    }

    private void configure(BpfObject obj, boolean syscallNr) {
        if (obj.findMap("counts").isEmpty()) {
            return; // not proctap's program (-Dproctap.bpf.object): let the kernel judge it as it is
        }
        obj.rodata().setBytes("config", config(spec, syscallNr, histograms));
        if (!tracepointExists("sched", "sched_prepare_exec")) {
            obj.program("pt_sched_prepare_exec").setAutoload(false); // Linux < 6.10
        }
        obj.map("counts").setMaxEntries(countsEntries(obj.map("counts").possibleCpus()));
    }

    /** The program's pt_config for watching {@code spec} and filling {@code histograms}. */
    static byte[] config(TargetSpec spec, boolean syscallNr, Set<Metric> histograms) {
        MemorySegment c = MemorySegment.ofArray(new byte[(int) Wire.CONFIG.byteSize()]);
        int mode = Wire.MATCH_NONE;
        byte[] needle = new byte[0];
        if (spec.mode() == TargetSpec.Mode.NAME) {
            switch (spec.matcher()) {
                case NameMatcher.Substring s -> {
                    mode = Wire.MATCH_SUBSTRING;
                    needle = s.needle().getBytes(StandardCharsets.UTF_8);
                }
                case NameMatcher.Exact x -> {
                    mode = Wire.MATCH_EXACT;
                    needle = x.name().getBytes(StandardCharsets.UTF_8);
                }
                case NameMatcher.Regex r -> mode = Wire.MATCH_USER;
            }
        }
        int len = Math.min(needle.length, Wire.COMM_LEN - 1);
        c.set(ValueLayout.JAVA_INT_UNALIGNED, Wire.offset(Wire.CONFIG, "match_mode"), mode);
        c.set(ValueLayout.JAVA_INT_UNALIGNED, Wire.offset(Wire.CONFIG, "needle_len"), mode == Wire.MATCH_SUBSTRING ? len : 0);
        c.set(ValueLayout.JAVA_INT_UNALIGNED, Wire.offset(Wire.CONFIG, "follow"), spec.watchesDescendants() ? 1 : 0);
        c.set(ValueLayout.JAVA_INT_UNALIGNED, Wire.offset(Wire.CONFIG, "read_syscall_nr"), syscallNr ? 1 : 0);
        MemorySegment.copy(needle, 0, c, ValueLayout.JAVA_BYTE, Wire.offset(Wire.CONFIG, "needle"), len);
        int hist = (histograms.contains(Metric.WAIT_HIST) ? Wire.HIST_WAIT : 0)
                | (histograms.contains(Metric.SLICE_HIST) ? Wire.HIST_SLICE : 0);
        c.set(ValueLayout.JAVA_INT_UNALIGNED, Wire.offset(Wire.CONFIG, "hist"), hist);
        return c.toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * The per-CPU counters are preallocated (an insert on the switch path must not fail for want
     * of memory), costing entries x CPUs x sizeof(pt_counts): as many tasks as pid_max allows,
     * within 64 MB.
     */
    static int countsEntries(int cpus) {
        long budget = 64L << 20;
        long byMemory = budget / (Wire.COUNTS.byteSize() * Math.max(1, cpus));
        return (int) Math.max(4096, Math.min(Math.min(ProcFs.pidMax(), 1 << 20), byMemory));
    }

    /** libbpf attaches raw tracepoints by name; BTF says which exist. */
    private static boolean tracepointExists(String system, String name) {
        for (String root : List.of("/sys/kernel/tracing", "/sys/kernel/debug/tracing")) {
            if (Files.isDirectory(Path.of(root, "events", system))) {
                return Files.isDirectory(Path.of(root, "events", system, name));
            }
        }
        return true; // tracefs not mounted: let the attach say so if it is missing
    }

    @Override
    public void start(SourceListener listener, long intervalNs) {
        if (object == null) {
            try {
                load();
            } catch (BpfUnavailableException e) {
                throw new SourceException(e.getMessage());
            } catch (LibbpfException e) {
                throw new SourceException(e.headline());
            }
        }
        if (object.findMap("counts").isEmpty() || object.findMap("cpu_state").isEmpty()) {
            throw new AttachException("the BPF object loaded is not proctap's (-D" + OBJECT_PROPERTY + ")");
        }
        long self = ProcessHandle.current().pid();
        registry = new TaskRegistry(spec);
        InitialScan.run(registry, pinnedPids, self);
        BpfMap procs = object.map("procs");
        for (Proc p : registry.procs()) {
            putProc(procs, p);
        }
        ncpu = object.map("cpu_state").possibleCpus();
        translator = new EventTranslator(registry, listener::onReport, this::watchFromUserSpace, exitedAt,
                () -> snapshots);
        ring = RingBuffer.open(object.map("events"), translator::onRecord);
        long t0 = System.nanoTime();
        initCpuState(t0);
        try {
            links = object.attachAll();
        } catch (LibbpfException e) {
            throw new AttachException(e.headline());
        }
        InitialScan.rescan(registry, self); // new processes (NAME mode) and their threads
        for (Proc p : registry.procs()) {
            putProc(procs, p);
        }
        TaskBaselines.seed(object.map("task_outs"), object.map("counts"), registry.watchedTasks(), t0);
        listener.onStart(t0);
        thread = Thread.ofPlatform().name("proctap-bpf").unstarted(() -> run(listener, t0, intervalNs));
        thread.start();
    }

    private static void putProc(BpfMap procs, Proc p) {
        if (!p.watched && !p.pinned) {
            return;
        }
        byte[] key = le32(p.tgid);
        byte[] value = new byte[(int) Wire.PROC.byteSize()];
        int flags = (p.watched ? Wire.PROC_WATCHED : 0) | (p.pinned ? Wire.PROC_PINNED : 0);
        MemorySegment.ofArray(value).set(ValueLayout.JAVA_INT_UNALIGNED, Wire.offset(Wire.PROC, "flags"), flags);
        procs.update(key, value);
    }

    /** --regex: the kernel cannot match, so an exec or rename into the name is decided here. */
    private void watchFromUserSpace(int tgid, boolean watched) {
        BpfMap procs = object.map("procs");
        if (watched) {
            Proc p = registry.proc(tgid);
            if (p != null) {
                putProc(procs, p);
            }
        } else {
            procs.delete(le32(tgid));
        }
        bumpGeneration();
    }

    /**
     * Invalidates the switch program's per-CPU cache of who is watched (struct seen): any value
     * the programs never had will do, so jump far ahead of their increments.
     */
    private void bumpGeneration() {
        BpfMap gen = object.map("gen");
        long g = gen.lookup(le32(0)).map(v -> MemorySegment.ofArray(v).get(ValueLayout.JAVA_LONG_UNALIGNED, 0))
                .orElse(0L);
        byte[] value = new byte[8];
        MemorySegment.ofArray(value).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, (g | 0xffffffffL) + 1);
        gen.update(le32(0), value);
    }

    /** Every CPU starts "unknown, since t0": a task found running is charged from the start. */
    private void initCpuState(long t0) {
        BpfMap cpuState = object.map("cpu_state");
        byte[] value = new byte[cpuState.valueBufferSize()];
        MemorySegment v = MemorySegment.ofArray(value);
        for (int cpu = 0; cpu < ncpu; cpu++) {
            v.set(ValueLayout.JAVA_LONG_UNALIGNED, (long) cpu * cpuState.cpuStride() + Wire.offset(Wire.CPU_STATE, "since"), t0);
        }
        cpuState.update(le32(0), value);
    }

    private void run(SourceListener listener, long t0, long intervalNs) {
        long next = intervalNs > 0 ? t0 + intervalNs : Long.MAX_VALUE;
        try {
            while (!stopRequested) {
                long now = System.nanoTime();
                int timeout = (int) Math.max(0, Math.min(100, (next - now) / 1_000_000));
                ring.poll(timeout);
                if (System.nanoTime() >= next && !stopRequested) {
                    ring.consume();
                    listener.onSnapshot(snapshot(false, -1));
                    next += intervalNs;
                    while (next <= System.nanoTime()) {
                        next += intervalNs; // a late wake-up: don't print a burst of tables
                    }
                }
            }
            long stopTs = detach();
            ring.consume();
            listener.onSnapshot(snapshot(true, stopTs));
        } catch (Throwable t) {
            failure = t;
            detach();
        } finally {
            ended.countDown();
        }
    }

    private long detach() {
        synchronized (lock) {
            if (detachTs < 0) {
                for (BpfLink l : links) {
                    l.close();
                }
                detachTs = System.nanoTime();
            }
            return detachTs;
        }
    }

    /** Attempts at a consistent read before settling for one that may miss a slice. */
    static final int READ_ATTEMPTS = 4;

    private CounterSnapshot snapshot(boolean fin, long ts) {
        snapshots++;
        BpfMap counts = object.map("counts");
        BpfMap cpuState = object.map("cpu_state");
        List<CpuTaskCounters> rows = new ArrayList<>();
        Map<Long, long[]> byKey = null;
        MemorySegment s = null;
        for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
            MemorySegment before = MemorySegment.ofArray(cpuState.lookup(le32(0)).orElseThrow());
            byKey = readCounts(counts);
            s = MemorySegment.ofArray(cpuState.lookup(le32(0)).orElseThrow());
            if (sameSlices(before, s, cpuState.cpuStride())) {
                break;
            }
        }
        long at = ts >= 0 ? ts : System.nanoTime();
        Map<Integer, long[]> running = new HashMap<>();
        for (int cpu = 0; cpu < ncpu; cpu++) {
            long base = (long) cpu * cpuState.cpuStride();
            int flags = s.get(ValueLayout.JAVA_INT_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "flags"));
            if ((flags & Wire.CPU_WATCHED) == 0) {
                continue;
            }
            int tid = s.get(ValueLayout.JAVA_INT_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "cur_pid"));
            long since = s.get(ValueLayout.JAVA_LONG_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "since"));
            int pending = s.get(ValueLayout.JAVA_INT_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "run_pending"));
            long[] c = byKey.computeIfAbsent(((long) tid << 32) | cpu, x -> Values.zero());
            c[Metric.RUNS.slot] += pending;
            if (at > since) {
                c[Metric.ONCPU_NS.slot] += at - since;
            }
            running.put(tid, new long[] {cpu, since});
        }
        addOpenOff(byKey, running, at);
        for (var e : byKey.entrySet()) {
            int tid = (int) (e.getKey() >>> 32);
            int cpu = (int) (e.getKey() & 0xffffffffL);
            long[] c = e.getValue();
            Task t = registry.task(tid);
            int tgid = t != null ? t.tgid() : Math.max(ProcFs.tgidOf(tid), tid);
            String comm = t != null ? t.comm : ProcFs.commOf(tgid, tid);
            long incarnation = t != null ? t.incarnation : -tid;
            rows.add(new CpuTaskCounters(cpu, tid, incarnation, tgid, comm, c));
        }
        long[] lost = new long[ncpu];
        long[] repairs = new long[ncpu];
        long[] repairedNs = new long[ncpu];
        BpfMap stats = object.map("stats");
        for (int slot : new int[] {Wire.STAT_RINGBUF_DROPS, Wire.STAT_COUNTS_FULL, Wire.STAT_REPAIRS,
            Wire.STAT_REPAIRED_NS}) {
            byte[] v = stats.lookup(le32(slot)).orElseThrow();
            MemorySegment seg = MemorySegment.ofArray(v);
            for (int cpu = 0; cpu < ncpu; cpu++) {
                long n = seg.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) cpu * stats.cpuStride());
                if (slot == Wire.STAT_REPAIRS) {
                    repairs[cpu] += n;
                } else if (slot == Wire.STAT_REPAIRED_NS) {
                    repairedNs[cpu] += n;
                } else {
                    lost[cpu] += n;
                }
            }
        }
        forgetExited(counts);
        return new CounterSnapshot(at, rows, lost, repairs, repairedNs, fin, measured);
    }

    /**
     * Every counter, by (tid << 32 | cpu), and each task's latest switch-out whose time off the
     * CPU is not yet charged (see struct pt_counts), for {@link #addOpenOff}.
     */
    private Map<Long, long[]> readCounts(BpfMap counts) {
        int stride = counts.cpuStride();
        long offSince = Wire.offset(Wire.COUNTS, "off_since");
        long offState = Wire.offset(Wire.COUNTS, "off_state");
        Map<Long, long[]> byKey = new HashMap<>();
        openOff.clear();
        counts.forEach((k, v) -> {
            int tid = k.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
            for (int cpu = 0; cpu < ncpu; cpu++) {
                MemorySegment row = v.asSlice((long) cpu * stride, Wire.COUNTS.byteSize());
                long[] values = row.asSlice(0, (long) Metric.SLOTS * Long.BYTES).toArray(ValueLayout.JAVA_LONG_UNALIGNED);
                long since = row.get(ValueLayout.JAVA_LONG_UNALIGNED, offSince);
                if (since != 0) {
                    OpenOff o = openOff.get(tid);
                    if (o == null || o.since < since) {
                        openOff.put(tid, new OpenOff(cpu, since, row.get(ValueLayout.JAVA_INT_UNALIGNED, offState)));
                    }
                }
                if (!Values.isZero(values)) {
                    byKey.put(((long) tid << 32) | cpu, values);
                }
            }
        });
        return byKey;
    }

    /** A task's latest switch-out whose time off is not yet charged: on cpu, at since, in state. */
    record OpenOff(int cpu, long since, int state) {
    }

    private final Map<Integer, OpenOff> openOff = new HashMap<>();

    /** TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE, TASK_DEAD, TASK_NOLOAD (include/linux/sched.h). */
    static final int TASK_INTERRUPTIBLE = 0x1;
    static final int TASK_UNINTERRUPTIBLE = 0x2;
    static final int TASK_DEAD = 0x80;
    static final int TASK_NOLOAD = 0x400;

    /** The program's is_io(): blocked uninterruptibly, and not a kernel thread idling. */
    static boolean isIo(int state) {
        return (state & TASK_UNINTERRUPTIBLE) != 0 && (state & TASK_NOLOAD) == 0;
    }

    /**
     * The metric a task's open time off the CPU goes to, by its prev_state at the switch-out: wait
     * when it was preempted (still runnable), null for a dead task.
     */
    static Metric openOffMetric(int state) {
        if (state == 0) {
            return Metric.WAIT_NS;
        }
        if ((state & TASK_DEAD) != 0) {
            return null;
        }
        return isIo(state) ? Metric.IO_NS : Metric.SLEEP_NS;
    }

    /**
     * Adds each task's time off the CPU that the program charges only at its next switch-out: from
     * its last switch-out up to {@code at}, or up to its current slice's start ({@code running}:
     * tid -> {cpu, since}). Sleep and io go to the CPU it left, as the program charges them, and a
     * wait to the CPU it runs on (the one it left while it still waits).
     *
     * <p>A sleep (or block) of a task running now ended that slice's wait before its start: the
     * program will charge the off time up to the switch-in less the kernel's wait, and a table
     * never shows less than an earlier one did, so a wait shown as sleep here would be counted
     * twice. That wait is in the task's run_delay already (sched_info_arrive() at the switch-in).
     * A task woken and still waiting is shown asleep up to now: the part of its wait before the
     * table is then counted twice (no event says when it woke; a wake-up program on every
     * wake-up would cost more than the switch program).
     */
    private void addOpenOff(Map<Long, long[]> byKey, Map<Integer, long[]> running, long at) {
        for (var e : openOff.entrySet()) {
            int tid = e.getKey();
            OpenOff o = e.getValue();
            Metric m = openOffMetric(o.state);
            if (m == null) {
                continue;
            }
            long[] now = running.get(tid);
            long until = now != null ? now[1] : at;
            int cpu = now != null && m == Metric.WAIT_NS ? (int) now[0] : o.cpu;
            if (m != Metric.WAIT_NS) {
                until = now != null ? now[1] - waitSince(tid) : at;
            }
            if (until > o.since) {
                byKey.computeIfAbsent(((long) tid << 32) | cpu, x -> Values.zero())[m.slot] += until - o.since;
            }
        }
    }

    /**
     * The kernel's wait of {@code tid} since its last switch-out the program saw: its run_delay now
     * less the one the program kept then (struct pt_task_out); 0 when either cannot be read.
     */
    private long waitSince(int tid) {
        Task t = registry.task(tid);
        Schedstat now = t != null ? Schedstat.read(t.tgid(), tid) : null;
        if (now == null) {
            return 0;
        }
        try (Pidfd pidfd = Pidfd.ofThread(tid)) {
            return object.map("task_outs").lookup(le32(pidfd.fd()))
                    .map(v -> MemorySegment.ofArray(v).get(ValueLayout.JAVA_LONG_UNALIGNED,
                            Wire.offset(Wire.TASK_OUT, "run_delay")))
                    .map(before -> Math.max(0, now.runDelayNs() - before))
                    .orElse(0L);
        } catch (ErrnoException e) {
            return 0; // gone
        }
    }

    /** Whether every CPU runs the same slice in both reads of cpu_state. */
    private boolean sameSlices(MemorySegment a, MemorySegment b, long stride) {
        for (int cpu = 0; cpu < ncpu; cpu++) {
            long base = cpu * stride;
            for (String f : new String[] {"cur_pid", "flags"}) {
                long at = base + Wire.offset(Wire.CPU_STATE, f);
                if (a.get(ValueLayout.JAVA_INT_UNALIGNED, at) != b.get(ValueLayout.JAVA_INT_UNALIGNED, at)) {
                    return false;
                }
            }
            long at = base + Wire.offset(Wire.CPU_STATE, "since");
            if (a.get(ValueLayout.JAVA_LONG_UNALIGNED, at) != b.get(ValueLayout.JAVA_LONG_UNALIGNED, at)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Two snapshots after a task's exit its last switch-out is long counted and reported: delete
     * its counters, and its process's entry once that was its last task (the program keeps it so
     * that a dying task switched in again still counts).
     */
    private void forgetExited(BpfMap counts) {
        BpfMap procs = object.map("procs");
        var it = exitedAt.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (e.getValue() <= snapshots - 2) {
                counts.delete(le32(e.getKey()));
                Task t = registry.task(e.getKey());
                if (t != null && t.exited) {
                    Proc p = t.proc;
                    registry.retire(t);
                    if (p.liveTasks <= 0 && registry.proc(p.tgid) == null) {
                        procs.delete(le32(p.tgid));
                    }
                }
                it.remove();
            }
        }
    }

    /** The kernel refused to attach a program; nothing was reported yet, so a caller may fall back. */
    public static final class AttachException extends SourceException {
        private static final long serialVersionUID = 1L;

        AttachException(String message) {
            super(message);
        }
    }

    static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    @Override
    public void stop() {
        stopRequested = true;
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
        stopRequested = true;
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        detach();
        if (object != null) {
            object.close(); // closes the ring buffer and links it owns first
        }
    }
}
