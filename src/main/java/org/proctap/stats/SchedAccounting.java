package org.proctap.stats;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.proctap.metric.Log2Slots;
import org.proctap.metric.Metric;
import org.proctap.model.Task;
import org.proctap.model.TaskRegistry;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuTaskCounters;

/**
 * Turns a time-ordered stream of scheduler events into per-CPU, per-task running totals: how often
 * a watched task was switched in, how long it ran, how many timer interrupts hit it and how long
 * they took. It follows the same rules as the BPF program, from events instead of kernel memory.
 *
 * <p>On-CPU time is the kernel's own: the sum of its sched_stat_runtime charges (each one the
 * time a task ran since its previous update, added to se.sum_exec_runtime), credited to the CPU
 * the task runs on. Switches only say who runs where: a switch-in counts in {@code run}, and the
 * running task's slice is estimated from the clock only for a snapshot taken while it still runs,
 * until the kernel's next charge replaces the estimate.
 *
 * <p>Every event tells who is current on its CPU ({@code common_pid}), not only sched_switch:
 * that is how it notices switches the kernel never reported (some kernels fire no sched_switch
 * for some switches, see docs/kernel-notes.md). The new task is counted as switched in once,
 * the repair is counted per CPU, and the on-CPU time of the slice it starts is added to that
 * CPU's repaired time; since the time comes from the kernel's charges, a repair adds none.
 */
public final class SchedAccounting {
    /**
     * What this accounting shows. The wait, sleep and io it derives from events are not shown:
     * from the wake-up event to the switch, the wait was -4.6..+7.5% of the kernel's run_delay,
     * which starts and ends at the run queue's clock; the plan does not record sched_wakeup
     * meanwhile (EventPlan).
     */
    public static final Set<Metric> MEASURED = Set.copyOf(EnumSet.complementOf(EnumSet.of(Metric.WAIT_NS,
            Metric.SLEEP_NS, Metric.IO_NS, Metric.WAIT_HIST, Metric.SLICE_HIST)));
    /** MEASURED and the slice histogram, when it is asked for (the wait histogram never is shown). */
    private static final Set<Metric> WITH_SLICES = Set.copyOf(EnumSet.complementOf(EnumSet.of(Metric.WAIT_NS,
            Metric.SLEEP_NS, Metric.IO_NS, Metric.WAIT_HIST)));
    /** sched_switch prev_state letter bits (include/linux/sched.h TASK_REPORT): D. */
    private static final int STATE_UNINTERRUPTIBLE = 0x2;
    /** The per-CPU state says nothing yet (start, or just after lost events). */
    private static final int UNKNOWN = -1;

    private final TaskRegistry registry;
    /** --hist slice: each counted switch-in's slice, by the kernel's charges over it. */
    private final boolean sliceHist;
    private final Set<Metric> measured;
    private final CpuState[] cpus;
    private final long[] repairs;
    private final long[] repairedNs;
    /** Tasks with counters, in first-seen order; exited ones leave after the next snapshot. */
    private final Set<Task> counted = new LinkedHashSet<>();
    private final Set<Task> retiring = new LinkedHashSet<>();

    public SchedAccounting(TaskRegistry registry, int ncpu, long startTs) {
        this(registry, ncpu, startTs, Set.of());
    }

    /** @param histograms the histograms asked for (--hist) */
    public SchedAccounting(TaskRegistry registry, int ncpu, long startTs, Set<Metric> histograms) {
        this.registry = registry;
        this.sliceHist = histograms.contains(Metric.SLICE_HIST);
        this.measured = sliceHist ? WITH_SLICES : MEASURED;
        this.cpus = new CpuState[ncpu];
        for (int i = 0; i < ncpu; i++) {
            cpus[i] = new CpuState(startTs);
        }
        this.repairs = new long[ncpu];
        this.repairedNs = new long[ncpu];
    }

    private static final class CpuState {
        int cur = UNKNOWN;
        Task curTask;
        /** Since when cur's time is not in the kernel's charges yet (its switch-in, its last charge). */
        long unchargedFrom;
        /** Last time something showed {@code cur} running here. */
        long evidence;
        /** cur's slice began with a switch nobody reported. */
        boolean repaired;
        /**
         * cur's watched state changed at {@code splitTs} (exec, rename) since its last charge: the
         * next charge is split there, {@link #splitWasWatched} telling what the part before was.
         */
        long splitTs = -1;
        boolean splitWasWatched;
        long timerStart = -1;
        Task timerTask;
        /** cur's switch-in was counted in RUNS: its slice goes into the slice histogram at its end. */
        boolean sliceCounted;
        /** The kernel's charges to cur since its switch-in: the slice's length so far. */
        long sliceNs;
        final Interrupts interrupts = new Interrupts();

        CpuState(long start) {
            unchargedFrom = start;
            evidence = start;
        }

        void runs(int tid, Task task, long ts) {
            interrupts.reset();
            cur = tid;
            curTask = task;
            unchargedFrom = ts;
            evidence = ts;
            splitTs = -1;
            sliceCounted = false;
            sliceNs = 0;
        }
    }

    /**
     * Any event: task {@code tid} is current on {@code cpu} at {@code ts}. Under the kernel's pid
     * filter a switch between two tasks proctap does not know is legitimately invisible, so a
     * change of current task only counts as a break when one of the two is known.
     */
    public void observe(long ts, int cpu, int tid) {
        CpuState s = cpus[cpu];
        if (s.cur == tid) {
            if (ts > s.evidence) {
                s.evidence = ts;
            }
            return;
        }
        Task t = registry.task(tid);
        if (s.cur == UNKNOWN) {
            // First sight since the start (or a loss): its switch-in happened before we looked,
            // so it is not counted; its time is, from the kernel's charges.
            s.cur = tid;
            s.curTask = t;
            s.evidence = ts;
            return;
        }
        if (s.curTask == null && t == null) {
            s.runs(tid, null, ts);
            return;
        }
        retireIfGone(s.curTask);
        endSlice(s, cpu);
        repairs[cpu]++;
        if (s.curTask != null) {
            s.curTask.offSince = -1; // it left unseen: how and when is unknown
            s.curTask.queuedSince = -1;
        }
        if (t != null) {
            t.offSince = -1;
            t.queuedSince = -1;
        }
        s.runs(tid, t, ts);
        s.repaired = true;
        if (t != null && t.watched()) {
            counted(t).counters(cpu)[Metric.RUNS.slot]++;
            s.sliceCounted = true;
        }
    }

    /**
     * sched_switch: prev's slice ended (the kernel charged it just before), next's begins. prev
     * leaves preempted (still runnable: it waits from now) or to sleep; next's wait, and the sleep
     * before it, end here and are charged to this CPU, as are its migrations since it last ran.
     */
    public void onSwitch(long ts, int cpu, int prevTid, int nextTid, long prevState) {
        observe(ts, cpu, prevTid);
        CpuState s = cpus[cpu];
        Task prev = s.curTask;
        if (prev != null && s.cur == prevTid) {
            int state = (int) (prevState & 0xff);
            if (prev.watched()) {
                counted(prev).counters(cpu)[state == 0 ? Metric.PREEMPT.slot : Metric.VOL.slot]++;
            }
            prev.offSince = ts;
            prev.offState = state;
            prev.queuedSince = state == 0 ? ts : -1;
            endSlice(s, cpu);
        }
        retireIfGone(s.curTask);
        Task next = registry.task(nextTid);
        s.runs(nextTid, next, ts);
        s.repaired = false;
        s.timerStart = -1;
        if (next != null) {
            if (next.watched()) {
                long[] c = counted(next).counters(cpu);
                c[Metric.RUNS.slot]++;
                s.sliceCounted = true;
                arrived(next, c, ts);
            }
            next.offSince = -1;
            next.queuedSince = -1;
            next.migrations = 0;
        }
    }

    /** What ended when {@code t} was switched in at {@code ts}: its wait, the sleep before it. */
    private static void arrived(Task t, long[] c, long ts) {
        if (t.queuedSince >= 0 && ts > t.queuedSince) {
            c[Metric.WAIT_NS.slot] += ts - t.queuedSince;
        }
        if (t.offSince >= 0 && t.offState != 0) {
            long end = t.queuedSince >= 0 ? t.queuedSince : ts;
            long off = Math.max(0, end - t.offSince);
            c[(t.offState & STATE_UNINTERRUPTIBLE) != 0 ? Metric.IO_NS.slot : Metric.SLEEP_NS.slot] += off;
        }
        c[Metric.MIGR.slot] += t.migrations;
    }

    /**
     * cur's slice ends on {@code cpu} (its switch-out, or a switch nobody reported): the slice
     * histogram counts it, as long as the kernel charged it, once per counted switch-in. The
     * kernel charges a slice before the sched_switch that ends it (update_curr() in __schedule(),
     * kernel/sched/core.c), so its last charge is in by now. A task that stopped being watched
     * during the slice (exec, rename) has it left out.
     */
    private void endSlice(CpuState s, int cpu) {
        if (sliceHist && s.sliceCounted && s.curTask != null && s.curTask.watched()) {
            counted(s.curTask).counters(cpu)[Metric.SLICE_HIST.slot + Log2Slots.ofNs(s.sliceNs)]++;
        }
        s.sliceCounted = false;
        s.sliceNs = 0;
    }

    /** sched_wakeup, sched_wakeup_new: {@code wakee} is runnable from now, waiting for a CPU. */
    public void onWakeup(long ts, int cpu, int tid, int wakee) {
        observe(ts, cpu, tid);
        Task t = registry.task(wakee);
        if (t == null || t.queuedSince >= 0) {
            return;
        }
        for (CpuState c : cpus) {
            if (c.curTask == t) {
                return; // woken while still running (before it could sleep): no wait begins
            }
        }
        t.queuedSince = ts;
    }

    /** sched_migrate_task: {@code task} moves to another CPU (se.nr_migrations counts the same). */
    public void onMigrate(long ts, int cpu, int tid, int task) {
        observe(ts, cpu, tid);
        Task t = registry.task(task);
        if (t != null && t.watched()) {
            t.migrations++;
        }
    }

    /**
     * sched_stat_runtime: the kernel charged {@code pid} {@code runtimeNs} more. A charge made from
     * another CPU (common_pid is not {@code pid}) goes to the CPU the task runs on.
     */
    public void onRuntime(long ts, int cpu, int tid, int pid, long runtimeNs) {
        observe(ts, cpu, tid);
        Task t = registry.task(pid);
        if (t == null) {
            return;
        }
        int on = cpu;
        if (tid != pid) {
            for (int c = 0; c < cpus.length; c++) {
                if (cpus[c].curTask == t) {
                    on = c;
                    break;
                }
            }
        }
        CpuState s = cpus[on];
        boolean current = s.curTask == t;
        long ns = Math.max(0, runtimeNs);
        if (current) {
            s.sliceNs += ns;
        }
        if (current && s.splitTs >= 0) {
            // The charge covers time on both sides of the change; what lies after it cannot
            // exceed the clock since then, and the rest belongs to the state before.
            long after = Math.min(ns, Math.max(0, ts - s.splitTs));
            credit(t, on, ns - after, s.splitWasWatched, s.repaired);
            ns = after;
            s.splitTs = -1;
        }
        credit(t, on, ns, t.watched(), current && s.repaired);
        if (current) {
            s.unchargedFrom = Math.max(s.unchargedFrom, ts);
        }
    }

    public void onTimerEntry(long ts, int cpu, int tid) {
        observe(ts, cpu, tid);
        CpuState s = cpus[cpu];
        Task t = s.curTask;
        if (t != null && t.watched()) {
            s.timerStart = ts;
            s.timerTask = t;
        } else {
            s.timerStart = -1;
            s.timerTask = null;
        }
    }

    public void onTimerExit(long ts, int cpu, int tid) {
        observe(ts, cpu, tid);
        CpuState s = cpus[cpu];
        if (s.timerStart >= 0 && s.timerTask != null && s.timerTask.tid == tid) {
            long[] c = counted(s.timerTask).counters(cpu);
            c[Metric.TIMER_COUNT.slot]++;
            c[Metric.TIMER_NS.slot] += Math.max(0, ts - s.timerStart);
            s.interrupts.nested(s.timerTask, Math.max(0, ts - s.timerStart));
        }
        s.timerStart = -1;
        s.timerTask = null;
    }

    /** irq_handler_entry: a device interrupt's handler starts, charged to {@code tid} if watched. */
    public void onIrqEntry(long ts, int cpu, int tid) {
        observe(ts, cpu, tid);
        CpuState s = cpus[cpu];
        s.interrupts.irqEntry(ts, watchedCurrent(s, tid));
    }

    /** irq_handler_exit: the handler's time goes to the task it interrupted (see {@link Interrupts}). */
    public void onIrqExit(long ts, int cpu, int tid) {
        observe(ts, cpu, tid);
        CpuState s = cpus[cpu];
        Task t = s.cur == tid ? s.curTask : null;
        long ns = s.interrupts.irqExit(ts, t);
        if (ns >= 0) {
            long[] c = counted(t).counters(cpu);
            c[Metric.IRQ_COUNT.slot]++;
            c[Metric.IRQ_NS.slot] += ns;
        }
    }

    /** softirq_entry: vector {@code vec} runs in {@code tid}'s context. */
    public void onSoftirqEntry(long ts, int cpu, int tid, int vec) {
        observe(ts, cpu, tid);
        CpuState s = cpus[cpu];
        s.interrupts.softirqEntry(ts, watchedCurrent(s, tid), vec);
    }

    /** softirq_exit: its own time (less the interrupts inside it) goes to the task it ran in. */
    public void onSoftirqExit(long ts, int cpu, int tid, int vec) {
        observe(ts, cpu, tid);
        CpuState s = cpus[cpu];
        Task t = s.cur == tid ? s.curTask : null;
        long ns = s.interrupts.softirqExit(ts, t, vec);
        if (ns >= 0) {
            long[] c = counted(t).counters(cpu);
            c[Metric.SOFTIRQ_COUNT.slot]++;
            c[Metric.SOFTIRQ_NS.slot] += ns;
            if (vec >= 0 && vec < Metric.SOFTIRQ_NS_BY_KIND.slots) {
                c[Metric.SOFTIRQ_COUNT_BY_KIND.slot + vec]++;
                c[Metric.SOFTIRQ_NS_BY_KIND.slot + vec] += ns;
            }
        }
    }

    /** The task current on the CPU, {@code tid} (just observed), if it is watched; else null. */
    private static Task watchedCurrent(CpuState s, int tid) {
        Task t = s.cur == tid ? s.curTask : null;
        return t != null && t.watched() ? t : null;
    }

    /**
     * Events were lost on {@code cpu} before {@code ts}: whatever ran there since the last event
     * is unknown, and so are the kernel's charges in between (how many events were lost is the
     * source's business: the kernel counts them). The state restarts.
     */
    public void onLost(long ts, int cpu) {
        CpuState s = cpus[cpu];
        retireIfGone(s.curTask);
        s.runs(UNKNOWN, null, ts);
        s.repaired = false;
        s.timerStart = -1;
        s.timerTask = null;
    }

    /**
     * The task's watched state is about to change (exec, rename): the kernel's next charge of it
     * is split at {@code ts}, the part before going to what was true before.
     */
    public void split(long ts, Task task) {
        for (CpuState s : cpus) {
            if (s.curTask == task && s.splitTs < 0) {
                s.splitTs = ts;
                s.splitWasWatched = task.watched();
            }
        }
    }

    /** After an exec by a non-leader thread, the running task carries the leader's id. */
    public void replace(long ts, Task before, Task after) {
        for (CpuState s : cpus) {
            if (s.curTask == before) {
                s.cur = after.tid;
                s.curTask = after;
            }
        }
        if (before.exited) {
            retiring.add(before);
        }
    }

    /**
     * {@code task} is running on {@code cpu} from {@code ts} on, and proctap starts counting it
     * now (it just exec'd into a watched name, so the kernel traced none of its earlier switches).
     */
    public void startedRunning(long ts, int cpu, Task task) {
        CpuState s = cpus[cpu];
        if (s.curTask != task) {
            retireIfGone(s.curTask);
            s.runs(task.tid, task, ts);
            s.repaired = false;
        }
        if (s.splitTs < 0) {
            s.splitTs = ts;
            s.splitWasWatched = false;
        }
    }

    private void credit(Task t, int cpu, long ns, boolean watched, boolean repaired) {
        if (t == null || !watched || ns <= 0) {
            return;
        }
        counted(t).counters(cpu)[Metric.ONCPU_NS.slot] += ns;
        if (repaired) {
            repairedNs[cpu] += ns;
        }
    }

    /** A task that exited and has left its CPU leaves after the next snapshot. */
    private void retireIfGone(Task t) {
        if (t != null && t.exited) {
            retiring.add(t);
        }
    }

    private Task counted(Task t) {
        counted.add(t);
        return t;
    }

    /**
     * Running totals at {@code ts}, including an estimate of the slices still running then (the
     * clock since their last charge; the kernel's next charge replaces it). Afterwards, tasks
     * that exited and left their CPU are dropped: the snapshot was their last appearance.
     * {@code lostPerCpu} are the kernel's running totals of lost events, passed through.
     */
    public CounterSnapshot snapshot(long ts, boolean fin, long[] lostPerCpu) {
        List<CpuTaskCounters> rows = new ArrayList<>();
        long[] running = new long[cpus.length];
        Task[] runningTask = new Task[cpus.length];
        for (int cpu = 0; cpu < cpus.length; cpu++) {
            CpuState s = cpus[cpu];
            long from = s.splitTs >= 0 ? Math.max(s.unchargedFrom, s.splitTs) : s.unchargedFrom;
            if (s.curTask != null && s.curTask.watched() && ts > from) {
                running[cpu] = ts - from;
                runningTask[cpu] = s.curTask;
                counted(s.curTask).counters(cpu);
            }
        }
        for (Task t : counted) {
            for (int cpu = 0; cpu < t.countersLength(); cpu++) {
                long[] c = t.countersIfAny(cpu);
                if (c == null) {
                    continue;
                }
                long[] v = c.clone();
                if (cpu < cpus.length && runningTask[cpu] == t) {
                    v[Metric.ONCPU_NS.slot] += running[cpu];
                }
                rows.add(new CpuTaskCounters(cpu, t.tid, t.incarnation, t.tgid(), t.comm, v));
            }
        }
        CounterSnapshot snap = new CounterSnapshot(ts, rows, lostPerCpu.clone(), repairs.clone(), repairedNs.clone(),
                fin, measured);
        for (Task t : retiring) {
            counted.remove(t);
            registry.retire(t);
        }
        retiring.clear();
        return snap;
    }

    public long[] repairs() {
        return repairs.clone();
    }
}
