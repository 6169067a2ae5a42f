package org.proctap.source.bpf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
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
import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuTaskCounters;
import org.proctap.source.EventSource;
import org.proctap.source.SourceException;
import org.proctap.source.SourceListener;
import org.proctap.sys.ErrnoException;

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
 * which the next snapshot shows. Entries of exited tasks are read out and deleted about every second,
 * whatever the interval, once their last switch-out is charged ({@link ExitedTasks}).
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
    /** The task iterator pt_tasks: what the kernel says of each watched task, read at each table. */
    private BpfLink tasksIter;
    private RingBuffer ring;
    private Thread thread;
    private boolean closed;
    private TaskRegistry registry;
    private EventTranslator translator;
    private int ncpu;
    private long detachTs = -1;
    private final ExitedTasks exited = new ExitedTasks();
    /** Whether only user space can tell which processes are watched (--regex). */
    private boolean userMatching;
    private long lastSweep;
    /** --cgroup: tasks whose process left the cgroup, by snapshot index then (EventTranslator). */
    private final Map<Integer, Integer> leftAt = new HashMap<>();
    private int snapshots;
    /** The generation of the next table's read of the task iterator (struct pt_iter_ctl). */
    private long iterGen = 1;
    /**
     * Tasks the iterator showed before user space knew them (their rows were left out of that
     * table): the next table reads all their counters from the map, as the iterator shows them
     * only when they change.
     */
    private final Set<Integer> unshown = new HashSet<>();

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
        obj.rodata().setBytes("config", config(spec, syscallNr, histograms, obj.map("counts").possibleCpus()));
        if (spec.mode() != TargetSpec.Mode.CGROUP) {
            obj.program("pt_cgroup_attach_task").setAutoload(false); // (only --cgroup follows moves)
        }
        if (!tracepointExists("sched", "sched_prepare_exec")) {
            obj.program("pt_sched_prepare_exec").setAutoload(false); // Linux < 6.10
        }
        BpfMap counts = obj.map("counts");
        counts.setValueSize(CountsValue.measuring(histograms).byteSize());
        counts.setMaxEntries(countsEntries(counts.possibleCpus(), ProcFs.threadCount(), counts.cpuStride(),
                ProcFs.memTotal(), ProcFs.pidMax()));
    }

    /** The program's pt_config for watching {@code spec} and filling {@code histograms}. */
    static byte[] config(TargetSpec spec, boolean syscallNr, Set<Metric> histograms, int cpus) {
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
        c.set(ValueLayout.JAVA_INT_UNALIGNED, Wire.offset(Wire.CONFIG, "cpus"), Math.min(cpus, Wire.MAX_CPUS));
        c.set(ValueLayout.JAVA_INT_UNALIGNED, Wire.offset(Wire.CONFIG, "counts_size"),
                CountsValue.measuring(histograms).byteSize());
        if (spec.mode() == TargetSpec.Mode.CGROUP) {
            c.set(ValueLayout.JAVA_INT_UNALIGNED, Wire.offset(Wire.CONFIG, "match_mode"), Wire.MATCH_CGROUP);
            c.set(ValueLayout.JAVA_INT_UNALIGNED, Wire.offset(Wire.CONFIG, "cgroup_level"), spec.cgroup().level());
            c.set(ValueLayout.JAVA_LONG_UNALIGNED, Wire.offset(Wire.CONFIG, "cgroup_id"), spec.cgroup().id());
        }
        return c.toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * The per-CPU counters are preallocated (an insert on the switch path must not fail for want
     * of memory), and all of it is taken at load: per entry, every possible CPU's value
     * (round_up(value size, 8) bytes, {@code stride}) and the element (htab_elem, key and per-CPU
     * pointer, {@link #COUNTS_ELEMENT} bytes; kernel/bpf/hashtab.c). So: the threads alive now and
     * half as many again (tasks that start, exited ones kept two snapshots), at least 8192 and
     * at most pid_max, within 1/64 of the memory (at least 64 MB). On many CPUs that can be
     * fewer than the threads watched: {@link #start} says so, and the updates lost are counted
     * (PT_STAT_COUNTS_FULL).
     */
    static int countsEntries(int cpus, int threadsNow, int stride, long memTotal, int pidMax) {
        long perEntry = (long) Math.max(1, cpus) * stride + COUNTS_ELEMENT;
        long budget = Math.max(64L << 20, memTotal / 64);
        long want = Math.min(Math.max(8192, threadsNow + threadsNow / 2L), pidMax);
        return (int) Math.max(1, Math.min(want, budget / perEntry));
    }

    /**
     * The kernel's bytes per counts element besides the values: struct htab_elem, the key and the
     * per-CPU pointer (bytes_memlock of the map, 6.18: 80 per entry beyond entries x CPUs x stride).
     */
    static final int COUNTS_ELEMENT = 80;

    /** The slots the loaded counts map holds (see {@link CountsValue}). */
    private static CountsValue countsValue(BpfMap counts) {
        return CountsValue.ofSize(counts.valueSize());
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
        userMatching = spec.mode() == TargetSpec.Mode.NAME && spec.matcher() instanceof NameMatcher.Regex;
        translator = new EventTranslator(registry, listener::onReport, this::watchFromUserSpace, exited, leftAt,
                () -> snapshots);
        ring = RingBuffer.open(object.map("events"), translator::onRecord);
        long t0 = System.nanoTime();
        initCpuState(t0);
        iterControl(Wire.ITER_CHANGED, iterGen); // (before any write: generation 0 marks nothing)
        try {
            links = object.attachAll();
            tasksIter = links.stream().filter(l -> l.program().equals("pt_tasks")).findFirst().orElse(null);
        } catch (LibbpfException e) {
            throw new AttachException(e.headline());
        }
        InitialScan.rescan(registry, self); // new processes (NAME mode) and their threads
        for (Proc p : registry.procs()) {
            putProc(procs, p);
        }
        warnIfFull(object.map("counts"), registry.watchedTasks().size());
        TaskBaselines.seed(object.map("task_outs"), object.map("counts"), registry.watchedTasks(), t0);
        // The reads of a table, once, for nothing: the first use of each costs tens of ms (class
        // loading, downcall linkage), and a table's reads must follow each other closely (the
        // program's charges meanwhile are left to the next table).
        readTasks(object.map("counts"), Wire.ITER_ALL);
        readRunning((tid, cpu) -> Values.zero(), new HashMap<>(), t0);
        listener.onStart(t0);
        thread = Thread.ofPlatform().name("proctap-bpf").unstarted(() -> run(listener, t0, intervalNs));
        thread.start();
    }

    /** One line when the counters cannot hold every thread watched now (see countsEntries). */
    private static void warnIfFull(BpfMap counts, int watched) {
        String line = fullWarning(counts.maxEntries(), watched, counts.possibleCpus(), counts.cpuStride());
        if (line != null) {
            System.err.println(line);
        }
    }

    static String fullWarning(int entries, int watched, int cpus, int stride) {
        if (watched <= entries) {
            return null;
        }
        long mb = ((long) entries * (cpus * (long) stride + COUNTS_ELEMENT)) >> 20;
        return "proctap: warning: the bpf counters hold " + entries + " threads (" + mb + " MB of kernel memory on "
                + cpus + " CPUs) and " + watched + " are watched: the updates of the others are counted lost;"
                + " watch fewer threads";
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
                    listener.onSnapshot(snapshot(false, -1, null));
                    next += intervalNs;
                    while (next <= System.nanoTime()) {
                        next += intervalNs; // a late wake-up: don't print a burst of tables
                    }
                } else if (sweepDue(System.nanoTime())) {
                    ring.consume();
                    sweep();
                }
            }
            // The tasks are read while the programs still see every switch: after the detach a
            // task's run_delay grows with waits they never see.
            Map<Integer, TaskNow> tasks = readTasks(object.map("counts"), Wire.ITER_TASKS).now();
            long stopTs = detach();
            ring.consume();
            listener.onSnapshot(snapshot(true, stopTs, tasks));
        } catch (Throwable t) {
            org.proctap.sys.HeapReserve.releaseIf(t);
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
                    if (l != tasksIter) { // (hooks nothing: the final table reads it after the stop)
                        l.close();
                    }
                }
                detachTs = System.nanoTime();
            }
            return detachTs;
        }
    }

    /**
     * Reads of cpu_state before one with no program halfway through writing a watched CPU's state
     * is given up on (that CPU's running slice is then left to the next table): the later ones
     * 1, 2, 4 ... 32 ms apart, for a vCPU held in the middle of a program.
     */
    static final int STATE_READS = 8;

    /**
     * The counters at {@code ts} (now when negative): the program's totals, and what it has not
     * charged yet (the running slices, and OpenTime). {@code stopTasks}: the final table's
     * {@link #readTasks} from before the detach; null to read them here, before the counters.
     */
    private CounterSnapshot snapshot(boolean fin, long ts, Map<Integer, TaskNow> stopTasks) {
        snapshots++;
        BpfMap counts = object.map("counts");
        sweep();
        List<CpuTaskCounters> rows = new ArrayList<>();
        // The table is of this moment: the iterator, read next, gives each task's counters and
        // what the kernel says of it, one task at a time, in one pass of a fraction of a millisecond.
        long at = ts >= 0 ? ts : System.nanoTime();
        TaskRecords read = readTasks(counts, Wire.ITER_CHANGED);
        Map<Integer, TaskNow> now = stopTasks != null ? stopTasks : read.now();
        Map<Long, long[]> byKey = read.counts();
        Map<Integer, OpenTime.Running> running = new HashMap<>();
        RowSource rowOf = (tid, cpu) -> row(read, counts, tid, cpu);
        readRunning(rowOf, running, at);
        OpenTime.add(read.open(), running, now, at, stopTasks == null, (tid, cpu, m, ns) -> {
            if (ns > 0) {
                rowOf.row(tid, cpu)[m.slot] += ns;
            }
        });
        for (var e : byKey.entrySet()) {
            int tid = (int) (e.getKey() >>> 32);
            int cpu = (int) (e.getKey() & 0xffffffffL);
            long[] c = e.getValue();
            Task t = registry.task(tid);
            if (t == null && userMatching) {
                // exec'd, not judged yet (PT_PROC_UNDECIDED): its counters keep for a later table
                unshown.add(tid);
                continue;
            }
            int tgid = t != null ? t.tgid() : Math.max(ProcFs.tgidOf(tid), tid);
            String comm = t != null ? t.comm : ProcFs.commOf(tgid, tid);
            long incarnation = t != null ? t.incarnation : -tid;
            rows.add(new CpuTaskCounters(cpu, tid, incarnation, tgid, comm, c));
        }
        Map<Integer, String> retiredCgroups = new HashMap<>();
        Set<Long> retired = new HashSet<>();
        rows.addAll(exited.retired().drain(retiredCgroups, retired));
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
        Map<Integer, String> cgroups = new HashMap<>(cgroups(rows));
        forgetLeft(counts, retired);
        retiredCgroups.forEach(cgroups::putIfAbsent); // (their processes are forgotten already)
        return new CounterSnapshot(at, rows, lost, repairs, repairedNs, fin, measured, cgroups, null,
                tasksIter != null, retired);
    }

    /** Says how the next read of the task iterator goes, and the generation writes are marked in. */
    private void iterControl(int mode, long gen) {
        MemorySegment ctl = MemorySegment.ofArray(new byte[(int) Wire.ITER_CTL.byteSize()]);
        ctl.set(ValueLayout.JAVA_INT_UNALIGNED, Wire.offset(Wire.ITER_CTL, "mode"), mode);
        ctl.set(ValueLayout.JAVA_LONG_UNALIGNED, Wire.offset(Wire.ITER_CTL, "gen"), gen);
        object.findMap("iter_ctl").ifPresent(m -> m.update(le32(0), ctl.toArray(ValueLayout.JAVA_BYTE), BpfMap.BPF_ANY));
    }

    /** One CPU's counters of a task, for a table to add what is not charged yet. */
    interface RowSource {
        long[] row(int tid, int cpu);
    }

    /**
     * The counters of {@code tid} on {@code cpu} in this table's read, put there if the read left
     * them out: the iterator shows every row that changed, the one with time off not yet charged
     * and the one of the CPU the task was on; any other it left out is unchanged, and is read from
     * the map (a task that moved to another CPU between the iterator and cpu_state).
     */
    private long[] row(TaskRecords read, BpfMap counts, int tid, int cpu) {
        long key = ((long) tid << 32) | cpu;
        long[] c = read.counts().get(key);
        if (c != null) {
            return c;
        }
        TaskNow n = read.now().get(tid);
        if (n == null || n.cpu() != cpu) {
            addAll(read, counts, tid);
            c = read.counts().get(key);
        }
        if (c == null) {
            c = Values.zero();
            read.counts().put(key, c);
        }
        return c;
    }

    /** All of a task's counters, from the map, into the read (those it has already stay). */
    private void addAll(TaskRecords read, BpfMap counts, int tid) {
        counts.lookup(le32(tid)).ifPresent(v -> {
            MemorySegment all = MemorySegment.ofArray(v);
            for (int cpu = 0; cpu < ncpu; cpu++) {
                if (!read.counts().containsKey(((long) tid << 32) | cpu)) {
                    read.add(tid, cpu, all.asSlice((long) cpu * counts.cpuStride(), read.value().byteSize()));
                }
            }
        });
    }

    /** --cgroup: each row's process's cgroup, by tgid (empty otherwise). */
    private Map<Integer, String> cgroups(List<CpuTaskCounters> rows) {
        if (spec.mode() != TargetSpec.Mode.CGROUP) {
            return Map.of();
        }
        Map<Integer, String> paths = new HashMap<>();
        for (CpuTaskCounters row : rows) {
            Proc p = registry.proc(row.tgid());
            if (p != null && p.cgroup != null) {
                paths.put(row.tgid(), p.cgroup);
            }
        }
        return paths;
    }

    /**
     * --cgroup: two snapshots after a process left the cgroup its tasks' last slices inside are
     * counted: forget them (a task that comes back is a new row from zero, see EventTranslator).
     */
    private void forgetLeft(BpfMap counts, Set<Long> retired) {
        var it = leftAt.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (e.getValue() <= snapshots - 2) {
                Task t = registry.task(e.getKey());
                if (t != null && !t.proc.watched) {
                    counts.delete(le32(e.getKey()));
                    registry.retire(t);
                    retired.add(t.incarnation);
                }
                it.remove();
            }
        }
    }

    /**
     * Every counter, by (tid << 32 | cpu), and into {@code open} each task's latest switch-out whose
     * time off the CPU is not yet charged (see struct pt_counts).
     */
    private Map<Long, long[]> readCounts(BpfMap counts, Map<Integer, OpenTime.Off> open) {
        int stride = counts.cpuStride();
        CountsValue value = countsValue(counts);
        Map<Long, long[]> byKey = new HashMap<>();
        counts.forEach((k, v) -> {
            int tid = k.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
            for (int cpu = 0; cpu < ncpu; cpu++) {
                MemorySegment row = v.asSlice((long) cpu * stride, value.byteSize());
                long[] values = value.values(row);
                long since = CountsValue.offSince(row);
                if (since != 0) {
                    OpenTime.Off o = open.get(tid);
                    if (o == null || o.since() < since) {
                        open.put(tid, new OpenTime.Off(cpu, since, CountsValue.offState(row)));
                    }
                }
                if (!Values.isZero(values)) {
                    byKey.put(((long) tid << 32) | cpu, values);
                }
            }
        });
        return byKey;
    }

    /**
     * The task iterator's records, and the counters of the tasks it no longer visits (exited,
     * not yet forgotten); without an iterator (another object, -D{@value #OBJECT_PROPERTY}) all
     * counters, read in one walk of the map.
     */
    private TaskRecords readTasks(BpfMap counts, int mode) {
        if (tasksIter == null) {
            TaskRecords all = TaskRecords.empty(countsValue(counts));
            all.counts().putAll(readCounts(counts, all.open()));
            return all;
        }
        // A table's read takes what was written in its generation and starts the next one; the
        // others leave the dirty masks alone (struct pt_counts).
        if (mode != Wire.ITER_CHANGED) {
            iterControl(mode, iterGen);
        }
        TaskRecords read = TaskRecords.parse(tasksIter.readIterator(), countsValue(counts));
        if (mode == Wire.ITER_CHANGED) {
            iterGen++;
        }
        iterControl(Wire.ITER_CHANGED, iterGen);
        if (mode != Wire.ITER_CHANGED) {
            return read;
        }
        for (int tid : exited.inMap()) {
            if (!read.now().containsKey(tid)) {
                addAll(read, counts, tid);
            }
        }
        for (int tid : leftAt.keySet()) {
            if (!read.now().containsKey(tid) && !exited.inMap().contains(tid)) {
                addAll(read, counts, tid);
                read.open().remove(tid); // its time off since is outside the cgroup: nobody's
            }
        }
        for (var it = unshown.iterator(); it.hasNext(); ) {
            int tid = it.next();
            if (registry.task(tid) != null || !read.now().containsKey(tid)) {
                addAll(read, counts, tid); // (a task gone since has its final rows from ExitedTasks)
                it.remove();
            }
        }
        return read;
    }

    /**
     * Adds the slices running on watched CPUs (cpu_state) up to {@code at}, and their switch-ins
     * (run_pending); a slice that began after {@code at} is the next table's. A CPU whose state a
     * program is writing (odd seq) in every read is left out.
     */
    private void readRunning(RowSource rowOf, Map<Integer, OpenTime.Running> running, long at) {
        BpfMap cpuState = object.map("cpu_state");
        long stride = cpuState.cpuStride();
        MemorySegment s = null;
        for (int attempt = 0; attempt < STATE_READS; attempt++) {
            s = MemorySegment.ofArray(cpuState.lookup(le32(0)).orElseThrow());
            if (!writing(s, stride)) {
                break;
            }
            if (attempt < STATE_READS - 2) {
                sleepMs(1L << attempt);
            }
        }
        for (int cpu = 0; cpu < ncpu; cpu++) {
            long base = (long) cpu * stride;
            int flags = s.get(ValueLayout.JAVA_INT_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "flags"));
            if ((flags & Wire.CPU_WATCHED) == 0
                    || (s.get(ValueLayout.JAVA_INT_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "seq")) & 1) != 0) {
                continue;
            }
            int tid = s.get(ValueLayout.JAVA_INT_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "cur_pid"));
            long since = s.get(ValueLayout.JAVA_LONG_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "since"));
            int pending = s.get(ValueLayout.JAVA_INT_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "run_pending"));
            if (since > at) {
                continue;
            }
            long[] c = rowOf.row(tid, cpu);
            c[Metric.RUNS.slot] += pending;
            c[Metric.ONCPU_NS.slot] += at - since;
            running.put(tid, new OpenTime.Running(cpu, since));
        }
    }

    /** Whether a program is halfway through writing the state of a watched CPU. */
    private boolean writing(MemorySegment cpuState, long stride) {
        for (int cpu = 0; cpu < ncpu; cpu++) {
            long base = cpu * stride;
            if ((cpuState.get(ValueLayout.JAVA_INT_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "flags"))
                    & Wire.CPU_WATCHED) != 0
                    && (cpuState.get(ValueLayout.JAVA_INT_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "seq")) & 1) != 0) {
                return true;
            }
        }
        return false;
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Housekeeping passes of the counts map ({@link ExitedTasks}) this far apart, at most. */
    static final long SWEEP_NS = 1_000_000_000L;

    /** A pass is due every second, or sooner once a quarter of the counts map waits for one. */
    private boolean sweepDue(long now) {
        return now - lastSweep >= SWEEP_NS || exited.pending() > object.map("counts").maxEntries() / 4;
    }

    private void sweep() {
        lastSweep = System.nanoTime();
        BpfMap counts = object.map("counts");
        exited.sweep(counts, countsValue(counts), object.map("procs"), ncpu, registry, watchedOnCpu());
    }

    /** The tasks cpu_state shows running on a CPU as watched: the program may still charge them. */
    private Set<Integer> watchedOnCpu() {
        BpfMap cpuState = object.map("cpu_state");
        MemorySegment s = MemorySegment.ofArray(cpuState.lookup(le32(0)).orElseThrow());
        Set<Integer> tids = new java.util.HashSet<>();
        for (int cpu = 0; cpu < ncpu; cpu++) {
            long base = (long) cpu * cpuState.cpuStride();
            if ((s.get(ValueLayout.JAVA_INT_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "flags")) & Wire.CPU_WATCHED) != 0) {
                tids.add(s.get(ValueLayout.JAVA_INT_UNALIGNED, base + Wire.offset(Wire.CPU_STATE, "cur_pid")));
            }
        }
        return tids;
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
