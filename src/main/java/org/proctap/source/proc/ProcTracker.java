package org.proctap.source.proc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.proctap.metric.Metric;
import org.proctap.metric.Values;
import org.proctap.model.Proc;
import org.proctap.model.TargetSpec;
import org.proctap.model.Task;
import org.proctap.model.TaskRegistry;
import org.proctap.proc.Stat;
import org.proctap.report.CpuTaskCounters;
import org.proctap.report.ExecReport;
import org.proctap.report.ExitReport;
import org.proctap.report.ExitStatus;
import org.proctap.report.ForkReport;
import org.proctap.report.Report;

/**
 * What changed between two polls of /proc, for the processes the registry watches: a process or
 * thread not seen before was forked (its parent from its ppid), one whose memory layout changed
 * (or, where the layout cannot be read, whose name changed) exec'd, and one gone, or whose pid now
 * names a task with another start time, exited. Each watched thread's figures are counted from its
 * readings ({@link Counted}). All of it is approximate in time (a poll's time, not the event's) and
 * can miss what lives between two polls; the figures themselves are the kernel's own totals.
 */
final class ProcTracker {
    /** A process as the last poll listed it: enough to tell a new one, a reused pid and an exec. */
    private record Known(long startTime, String comm, long startCode, long startStack, boolean layoutKnown) {
        static Known of(Stat s) {
            return new Known(s.startTime(), s.comm(), s.startCode(), s.startStack(), s.layoutKnown());
        }
    }

    private final TaskRegistry registry;
    private final TargetSpec spec;
    private final long self;
    private final Consumer<Report> reports;
    private final Map<Integer, Known> known = new HashMap<>();
    /** Every thread counted, by incarnation, in the order first seen. */
    private final Map<Long, Counted> counted = new LinkedHashMap<>();
    /** The live counted threads by tid. */
    private final Map<Integer, Counted> live = new HashMap<>();
    /** Processes whose exit was reported (a zombie stays listed until it is reaped). */
    private final Set<Integer> ended = new HashSet<>();
    /** Threads that exited, counted in the next rows() once more and then forgotten. */
    private final List<Counted> retiring = new ArrayList<>();
    private long polls;

    /**
     * @param registry the processes to watch at the start (InitialScan), which this tracker keeps
     *                 up to date; their threads are counted from the first poll's readings
     * @param self     proctap's own pid, never watched
     */
    ProcTracker(TaskRegistry registry, long self, Consumer<Report> reports) {
        this.registry = registry;
        this.spec = registry.spec();
        this.self = self;
        this.reports = reports;
    }

    long polls() {
        return polls;
    }

    /** Whether a poll must list every process (to find new ones), not only the watched. */
    private boolean discovers() {
        return spec.mode() != TargetSpec.Mode.PIDS || spec.watchesDescendants();
    }

    /** One poll at {@code ts}: reports what changed since the last and reads every watched thread. */
    void poll(ProcView view, long ts) {
        boolean first = polls++ == 0;
        List<Integer> watchedNow = new ArrayList<>();
        for (Proc p : registry.watchedProcs()) {
            watchedNow.add(p.tgid);
        }
        Map<Integer, Stat> procs = view.processes(discovers() ? null : watchedNow);
        // 1. processes gone, or whose pid now names another process
        for (var e : new ArrayList<>(known.entrySet())) {
            Stat s = procs.get(e.getKey());
            if (s == null || s.startTime() != e.getValue().startTime()) {
                known.remove(e.getKey());
                processGone(e.getKey(), ts);
            }
        }
        Set<Integer> startedNow = new HashSet<>();
        Set<Integer> born = new HashSet<>();
        List<Stat> fresh = new ArrayList<>();
        Set<Integer> freshPids = new HashSet<>();
        for (Stat s : procs.values()) {
            if (!known.containsKey(s.pid())) {
                fresh.add(s);
                freshPids.add(s.pid());
            }
        }
        // 2. processes that exec'd or renamed since the last poll (first: a process that execs and
        // then forks is more common than one that forks and then execs)
        for (Stat s : procs.values()) {
            Known k = known.get(s.pid());
            if (k == null || s.pid() == self || freshPids.contains(s.pid())) {
                continue;
            }
            boolean layoutChanged = k.layoutKnown() && s.layoutKnown()
                    && (k.startCode() != s.startCode() || k.startStack() != s.startStack());
            boolean renamed = !k.comm().equals(s.comm());
            if (!layoutChanged && !renamed) {
                continue;
            }
            known.put(s.pid(), Known.of(s));
            boolean exec = layoutChanged || (renamed && !(k.layoutKnown() && s.layoutKnown()));
            changed(view, s, exec, ts, startedNow);
        }
        // 3. processes seen for the first time, parents before children
        fresh.sort(Comparator.comparingLong(Stat::startTime).thenComparingInt(Stat::pid));
        for (Stat s : fresh) {
            known.put(s.pid(), Known.of(s));
            if (s.pid() == self) {
                continue;
            }
            if (first) {
                atStart(s, startedNow);
            } else {
                newProcess(view, s, ts, born);
            }
        }
        // 4. the threads of every watched process
        for (Proc p : registry.watchedProcs()) {
            Stat leader = procs.get(p.tgid);
            if (leader != null && known.containsKey(p.tgid) && !ended.contains(p.tgid)) {
                threads(view, p, leader, ts, first || startedNow.contains(p.tgid), born.contains(p.tgid));
            }
        }
    }

    /** At the first poll: a process InitialScan registered, or one that appeared since and is to be watched. */
    private void atStart(Stat s, Set<Integer> startedNow) {
        if (registry.proc(s.pid()) != null) {
            return;
        }
        Proc parent = registry.proc(s.ppid());
        boolean descendant = parent != null && parent.watched && spec.watchesDescendants();
        if (descendant || registry.nameMatches(s.comm())) {
            registry.addProcess(s.pid(), s.comm(), descendant);
            startedNow.add(s.pid());
        }
    }

    /** A process born since the last poll: forked by a watched one, or exec'd into the name by another. */
    private void newProcess(ProcView view, Stat s, long ts, Set<Integer> born) {
        Proc parent = registry.proc(s.ppid());
        Task parentTask = registry.task(s.ppid());
        if (parent != null && parent.watched && parentTask != null) {
            Task child = registry.onNewTask(s.ppid(), s.pid(), false, s.comm());
            if (child == null) {
                return;
            }
            Known pk = known.get(s.ppid());
            boolean execd = pk != null && pk.layoutKnown() && s.layoutKnown()
                    ? pk.startCode() != s.startCode() || pk.startStack() != s.startStack()
                    : pk == null || !pk.comm().equals(s.comm());
            if (!child.watched()) {
                registry.onExit(child.tid); // (a child that is not followed: forgotten)
                registry.retire(child);
                return;
            }
            born.add(s.pid());
            reports.accept(new ForkReport(ts, CpuTaskCounters.NO_CPU, parent.tgid, parent.tgid, parent.name, s.pid(),
                    s.pid(), s.comm(), "fork", null, false, ForkReport.UNKNOWN_FLAGS));
            if (execd) {
                exec(view, s, ts);
            }
        } else if (registry.nameMatches(s.comm())) {
            registry.addProcess(s.pid(), s.comm(), false);
            born.add(s.pid());
            exec(view, s, ts); // its name came from an exec: a fork keeps the parent's, which did not match
        }
    }

    /** A known process exec'd or renamed its main thread. */
    private void changed(ProcView view, Stat s, boolean exec, long ts, Set<Integer> startedNow) {
        Proc p = registry.proc(s.pid());
        if (p == null) {
            if (!registry.nameMatches(s.comm())) {
                return;
            }
            p = registry.addProcess(s.pid(), s.comm(), false);
            startedNow.add(s.pid());
            if (exec) {
                exec(view, s, ts);
            }
            return;
        }
        boolean was = p.watched;
        if (exec) {
            registry.onExec(s.pid(), s.pid(), s.comm());
        } else {
            registry.onRename(s.pid(), s.comm());
        }
        if (exec && (was || p.watched)) {
            exec(view, s, ts);
        }
        if (was && !p.watched) {
            for (Counted c : countedOf(p)) {
                c.stop(); // what it did up to the last poll was the watched program's
            }
        } else if (!was && p.watched) {
            startedNow.add(p.tgid);
        }
    }

    private void exec(ProcView view, Stat s, long ts) {
        String program = view.program(s.pid());
        reports.accept(new ExecReport(ts, CpuTaskCounters.NO_CPU, s.pid(), s.pid(), s.pid(),
                program != null ? program : s.comm(), null, s.comm()));
    }

    /**
     * Reads the threads of a watched process: new ones are counted (from zero when born during the
     * watch, else from this reading), gone ones keep their last reading, and a process whose last
     * thread is gone or dead has exited.
     */
    private void threads(ProcView view, Proc p, Stat leaderStat, long ts, boolean fromNow, boolean processBorn) {
        List<Counted> mine = countedOf(p);
        List<Integer> tids = null;
        Set<Integer> listed = null;
        if (mine.size() != leaderStat.numThreads()) {
            tids = view.threads(p.tgid);
            listed = new HashSet<>(tids);
        }
        List<Counted> vanished = new ArrayList<>();
        Counted leader = null;
        TaskReading leaderReading = null;
        ExitStatus status = ExitStatus.UNKNOWN;
        Set<Integer> done = new HashSet<>(); // the tids whose reading was taken below
        for (Counted c : mine) {
            TaskReading r = listed == null || listed.contains(c.task.tid) ? view.task(p.tgid, c.task.tid) : null;
            if (r == null || r.stat().startTime() != c.startTime) {
                vanished.add(c);
            } else if (c.task.tid == p.tgid && !c.precedes(r)) {
                leader = c; // not the same task: a thread that exec'd took over the leader's id (de_thread)
                leaderReading = r;
            } else {
                if (!c.counting) {
                    c.resume(r.values()); // watched again (exec'd back into the name): from now on
                }
                c.update(r);
                done.add(c.task.tid);
                if (r.dead()) {
                    status = zombieStatus(p.tgid, r);
                    exit(c);
                }
            }
        }
        for (Counted c : vanished) {
            exit(c);
        }
        if (tids == null && !vanished.isEmpty()) {
            tids = view.threads(p.tgid); // (one gone: maybe one born too, the count unchanged)
        }
        if (tids == null) {
            tids = List.of(); // every thread the count says is counted and was read: none new
        }
        if (leader != null) {
            // fs/exec.c, de_thread(): the exec'ing thread takes the leader's pid and start time; its
            // figures are its own, so it goes on from its last reading under the leader's id
            Counted from = null;
            for (Counted v : vanished) {
                if (v.precedes(leaderReading)
                        && (from == null || v.last[Metric.ONCPU_NS.slot] > from.last[Metric.ONCPU_NS.slot])) {
                    from = v;
                }
            }
            exit(leader);
            count(p, p.tgid, leaderReading, from != null ? from.last : leaderReading.values());
            done.add(p.tgid);
        }
        for (int tid : tids) {
            if (done.contains(tid)) {
                continue;
            }
            TaskReading r = view.task(p.tgid, tid);
            if (r == null) {
                continue;
            }
            // born since the last poll (its process was watched or born then too): its whole life counts
            boolean bornNow = !fromNow && (processBorn || tid != p.tgid);
            Counted n = count(p, tid, r, bornNow ? Values.zero() : r.values());
            if (bornNow && tid != p.tgid) {
                reports.accept(new ForkReport(ts, CpuTaskCounters.NO_CPU, p.tgid, p.tgid, p.name, tid, p.tgid,
                        r.stat().comm(), "clone", null, true, ForkReport.UNKNOWN_FLAGS));
            }
            if (r.dead()) {
                status = zombieStatus(p.tgid, r);
                exit(n);
            }
        }
        if (countedOf(p).isEmpty() && (view.threads(p.tgid).isEmpty() || everCounted(p))) {
            ended(p, ts, status);
        }
    }

    /** A zombie's exit code is shown only to whom may ptrace it (do_task_stat()): known when its layout was. */
    private ExitStatus zombieStatus(int tgid, TaskReading r) {
        Known k = known.get(tgid);
        return r.stat().pid() == tgid && k != null && k.layoutKnown() ? ExitStatus.fromWaitStatus(r.stat().exitCode())
                : ExitStatus.UNKNOWN;
    }

    private Counted count(Proc p, int tid, TaskReading r, long[] since) {
        Task t = registry.task(tid);
        if (t == null || t.proc != p || t.exited || counted.containsKey(t.incarnation)) {
            t = registry.addTask(p, tid, r.stat().comm());
        }
        t.comm = r.stat().comm();
        Counted c = new Counted(t, r.stat().startTime(), since, r);
        if (!p.watched) {
            c.stop();
        }
        counted.put(t.incarnation, c);
        live.put(tid, c);
        return c;
    }

    /** The thread is gone: its last reading is its total; the registry forgets it now, the rows after one more. */
    private void exit(Counted c) {
        if (c.exited) {
            return;
        }
        c.exited = true;
        registry.onExit(c.task.tid);
        registry.retire(c.task);
        if (live.get(c.task.tid) == c) {
            live.remove(c.task.tid);
        }
        retiring.add(c);
    }

    /** A process no longer listed (or listed with another start time: the pid was reused). */
    private void processGone(int tgid, long ts) {
        Proc p = registry.proc(tgid);
        if (p == null) {
            ended.remove(tgid);
            return;
        }
        for (Counted c : countedOf(p)) {
            exit(c);
        }
        if (!ended.remove(tgid) && p.watched && everCounted(p)) {
            reports.accept(new ExitReport(ts, CpuTaskCounters.NO_CPU, tgid, tgid, p.name, ExitStatus.UNKNOWN));
        }
        for (Task t : registry.watchedTasks()) {
            if (t.proc == p) { // registered but never read (gone before its first poll)
                registry.onExit(t.tid);
                registry.retire(t);
            }
        }
    }

    private void ended(Proc p, long ts, ExitStatus status) {
        if (ended.add(p.tgid) && p.watched) {
            reports.accept(new ExitReport(ts, CpuTaskCounters.NO_CPU, p.tgid, p.tgid, p.name, status));
        }
    }

    private List<Counted> countedOf(Proc p) {
        List<Counted> result = new ArrayList<>();
        for (Counted c : live.values()) {
            if (c.task.proc == p) {
                result.add(c);
            }
        }
        return result;
    }

    private boolean everCounted(Proc p) {
        for (Counted c : counted.values()) {
            if (c.task.proc == p) {
                return true;
            }
        }
        return false;
    }

    /**
     * Every counted thread's running totals, one row each over all CPUs; a thread that exited is
     * in the rows once more after its exit and then forgotten (its figures can no longer move).
     */
    List<CpuTaskCounters> rows() {
        List<CpuTaskCounters> rows = new ArrayList<>(counted.size());
        for (Counted c : counted.values()) {
            Task t = c.task;
            rows.add(new CpuTaskCounters(CpuTaskCounters.NO_CPU, t.tid, t.incarnation, t.tgid(), t.comm, c.total(),
                    c.lastCpu));
        }
        for (Counted c : retiring) {
            counted.remove(c.task.incarnation);
        }
        retiring.clear();
        return rows;
    }
}
