package org.proctap.source.bpf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.proctap.model.InitialScan;
import org.proctap.model.NameMatcher;
import org.proctap.model.Proc;
import org.proctap.model.TargetSpec;
import org.proctap.model.Task;
import org.proctap.model.TaskRegistry;
import org.proctap.proc.ProcFs;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuTaskCounters;
import org.proctap.source.EventSource;
import org.proctap.source.SourceException;
import org.proctap.source.SourceListener;

/**
 * The eBPF source: src/main/bpf/proctap.bpf.c counts in the kernel; this class loads it with
 * libbpf, tells it what to watch, turns its ring-buffer records into live reports and reads its
 * counters at every interval boundary.
 *
 * <p>Reading without losing or double-counting: the counters are running totals the program only
 * ever increases, and this class never resets them. Each snapshot reads every counter (an
 * increment racing with the read lands in this snapshot or the next, never both or neither),
 * then the per-CPU "who runs since when" state, and adds the still-running slice up to the moment
 * of that second read. Counters are read first: a switch between the two reads can then only
 * make this snapshot short by that slice, which the next one shows; the other order could count
 * it twice. Entries of exited tasks are deleted only two snapshots after their exit, when their
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
        this.spec = spec;
        this.pinnedPids = List.copyOf(pinnedPids);
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
        GlobalData ro = obj.rodata();
        int mode = Wire.MATCH_NONE;
        if (spec.mode() == TargetSpec.Mode.NAME) {
            NameMatcher m = spec.matcher();
            byte[] needle = new byte[Wire.COMM_LEN];
            switch (m) {
                case NameMatcher.Substring s -> {
                    mode = Wire.MATCH_SUBSTRING;
                    byte[] b = s.needle().getBytes(StandardCharsets.UTF_8);
                    System.arraycopy(b, 0, needle, 0, Math.min(b.length, Wire.COMM_LEN - 1));
                    ro.setInt("needle_len", Math.min(b.length, Wire.COMM_LEN - 1));
                }
                case NameMatcher.Exact x -> {
                    mode = Wire.MATCH_EXACT;
                    byte[] b = x.name().getBytes(StandardCharsets.UTF_8);
                    System.arraycopy(b, 0, needle, 0, Math.min(b.length, Wire.COMM_LEN - 1));
                }
                case NameMatcher.Regex r -> mode = Wire.MATCH_USER;
            }
            ro.setBytes("needle", needle);
        }
        ro.setInt("match_mode", mode);
        ro.setInt("follow", spec.watchesDescendants() ? 1 : 0);
        ro.setInt("read_syscall_nr", syscallNr ? 1 : 0);
        if (!tracepointExists("sched", "sched_prepare_exec")) {
            obj.program("pt_sched_prepare_exec").setAutoload(false); // Linux < 6.10
        }
        obj.map("counts").setMaxEntries(countsEntries(obj.map("counts").possibleCpus()));
    }

    /**
     * The per-CPU counters are preallocated (an insert on the switch path must not fail for want
     * of memory), costing entries x CPUs x 32 bytes: as many tasks as pid_max allows, within 64 MB.
     */
    static int countsEntries(int cpus) {
        long budget = 64L << 20;
        long byMemory = budget / (32L * Math.max(1, cpus));
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

    private CounterSnapshot snapshot(boolean fin, long ts) {
        snapshots++;
        BpfMap counts = object.map("counts");
        int stride = counts.cpuStride();
        List<CpuTaskCounters> rows = new ArrayList<>();
        Map<Long, long[]> byKey = new HashMap<>();
        counts.forEach((k, v) -> {
            int tid = k.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
            for (int cpu = 0; cpu < ncpu; cpu++) {
                long base = (long) cpu * stride;
                long runs = v.get(ValueLayout.JAVA_LONG_UNALIGNED, base + Wire.offset(Wire.COUNTS, "runs"));
                long oncpu = v.get(ValueLayout.JAVA_LONG_UNALIGNED, base + Wire.offset(Wire.COUNTS, "oncpu_ns"));
                long tc = v.get(ValueLayout.JAVA_LONG_UNALIGNED, base + Wire.offset(Wire.COUNTS, "timer_count"));
                long tn = v.get(ValueLayout.JAVA_LONG_UNALIGNED, base + Wire.offset(Wire.COUNTS, "timer_ns"));
                if (runs != 0 || oncpu != 0 || tc != 0 || tn != 0) {
                    byKey.put(((long) tid << 32) | cpu, new long[] {runs, oncpu, tc, tn});
                }
            }
        });
        // Second: who runs now. Counters first, see the class comment.
        BpfMap cpuState = object.map("cpu_state");
        byte[] state = cpuState.lookup(le32(0)).orElseThrow();
        long at = ts >= 0 ? ts : System.nanoTime();
        MemorySegment s = MemorySegment.ofArray(state);
        for (int cpu = 0; cpu < ncpu; cpu++) {
            long base = (long) cpu * cpuState.cpuStride();
            int flags = s.get(ValueLayout.JAVA_INT_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "flags"));
            if ((flags & Wire.CPU_WATCHED) == 0) {
                continue;
            }
            int tid = s.get(ValueLayout.JAVA_INT_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "cur_pid"));
            long since = s.get(ValueLayout.JAVA_LONG_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "since"));
            int pending = s.get(ValueLayout.JAVA_INT_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "run_pending"));
            long[] c = byKey.computeIfAbsent(((long) tid << 32) | cpu, x -> new long[4]);
            c[0] += pending;
            if (at > since) {
                c[1] += at - since;
            }
        }
        for (var e : byKey.entrySet()) {
            int tid = (int) (e.getKey() >>> 32);
            int cpu = (int) (e.getKey() & 0xffffffffL);
            long[] c = e.getValue();
            Task t = registry.task(tid);
            int tgid = t != null ? t.tgid() : Math.max(ProcFs.tgidOf(tid), tid);
            String comm = t != null ? t.comm : ProcFs.commOf(tgid, tid);
            long incarnation = t != null ? t.incarnation : -tid;
            rows.add(new CpuTaskCounters(cpu, tid, incarnation, tgid, comm, c[0], c[1], c[2], c[3]));
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
        return new CounterSnapshot(at, rows, lost, repairs, repairedNs, fin);
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
