package org.proctap.stats;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
     * What this accounting shows without --hist: everything but steal, which is the run queue's
     * and no event tells.
     */
    public static final Set<Metric> MEASURED = Set.copyOf(EnumSet.complementOf(EnumSet.of(
            Metric.STEAL_NS, Metric.WAIT_HIST, Metric.SLICE_HIST)));
    /** sched_switch prev_state letter bits (include/linux/sched.h TASK_REPORT): D. */
    private static final int STATE_UNINTERRUPTIBLE = 0x2;
    /** The per-CPU state says nothing yet (start, or just after lost events). */
    private static final int UNKNOWN = -1;

    private final TaskRegistry registry;
    /** --hist slice: each counted switch-in's slice, by the kernel's charges over it. */
    private final boolean sliceHist;
    /** --hist wait: each wait that ended in a counted switch-in, as measured from the events. */
    private final boolean waitHist;
    private final Set<Metric> measured;
    private final CpuState[] cpus;
    private final long[] repairs;
    private final long[] repairedNs;
    /** Tasks with counters, in first-seen order; exited ones leave after the next snapshot. */
    private final Set<Task> counted = new LinkedHashSet<>();
    private final Set<Task> retiring = new LinkedHashSet<>();
    /** Each watched task's waits against the kernel's run_delay. */
    private final Map<Task, WaitAnchor> anchors = new IdentityHashMap<>();

    public SchedAccounting(TaskRegistry registry, int ncpu, long startTs) {
        this(registry, ncpu, startTs, Set.of());
    }

    /** @param histograms the histograms asked for (--hist) */
    public SchedAccounting(TaskRegistry registry, int ncpu, long startTs, Set<Metric> histograms) {
        this.registry = registry;
        this.sliceHist = histograms.contains(Metric.SLICE_HIST);
        this.waitHist = histograms.contains(Metric.WAIT_HIST);
        EnumSet<Metric> shown = EnumSet.copyOf(MEASURED);
        if (sliceHist) {
            shown.add(Metric.SLICE_HIST);
        }
        if (waitHist) {
            shown.add(Metric.WAIT_HIST);
        }
        this.measured = Set.copyOf(shown);
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
        /**
         * The last wake-up onto this CPU since its last switch (the wakee, and when), and the
         * last timer interrupt here since: where the run queue's clock may still stand at the
         * next switch (see {@link #kernelClock}).
         */
        int wakee = UNKNOWN;
        long wakeTs = -1;
        long tickTs = -1;
        /** cur's switch-in was counted in RUNS: its slice goes into the slice histogram at its end. */
        boolean sliceCounted;
        /** The kernel's charges to cur since its switch-in: the slice's length so far. */
        long sliceNs;
        /**
         * Where the run queue's clock stood at the kernel's last charge of cur, as far as the
         * events can tell (see {@link #kernelClock}).
         */
        long clock;
        /** The kernel charged cur since its switch-in (its last charge is the switch's own). */
        boolean charged;
        /** When the kernel last charged cur (its event's time), if {@link #charged}. */
        long chargedTs;
        /**
         * Until cur's first charge: the clock its slice was taken to start at, the task that left
         * then, and the sleep (or io) of cur that ended at this switch-in (its counter slot, -1 for
         * none; its length; when it was taken to end), which the first charge may show to have
         * ended earlier (see {@link #refineStart}).
         */
        long startClock = -1;
        Task startPrev;
        int startSleepSlot = -1;
        long startSleepNs;
        long startSleepEnd;
        /** The CPU whose row that sleep was charged to: the one cur left. */
        int startSleepCpu;
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
            clock = ts;
            charged = false;
            startClock = -1;
            startPrev = null;
            startSleepSlot = -1;
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
            // so it is not counted; its time is, from the kernel's charges. If it was asleep,
            // its sleep ended unseen (its wait is left to the kernel's run_delay).
            s.cur = tid;
            s.curTask = t;
            s.evidence = ts;
            if (t != null && t.watched() && t.offSince >= 0 && t.offState != 0) {
                arrived(t, cpu, counted(t).counters(cpu), ts, t.queuedSince >= 0 ? t.queuedSince : ts);
                switchedIn(t, cpu);
            } else if (t != null) {
                t.offSince = -1; // runnable at the start, and running: it was not waiting
                t.queuedSince = -1;
                t.lastCpu = cpu;
            }
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
        boolean fromIdle = s.cur == 0;
        s.runs(tid, t, ts);
        s.repaired = true;
        if (t != null && t.watched()) {
            counted(t).counters(cpu)[Metric.RUNS.slot]++;
            s.sliceCounted = true;
            if (t.offSince >= 0 || t.queuedSince >= 0) {
                // Out of idle the kernel's wait ends at the wake-up (kernelClock); after anything
                // else it ended between the wake-up and now: the events cannot say, run_delay can.
                arrived(t, cpu, counted(t).counters(cpu), ts,
                        fromIdle && t.queuedSince >= 0 ? t.queuedSince : ts);
            }
        }
        if (t != null) {
            switchedIn(t, cpu);
        }
    }

    /** {@code t} runs on {@code cpu}: whatever it did off the CPU is accounted for. */
    private static void switchedIn(Task t, int cpu) {
        t.offSince = -1;
        t.queuedSince = -1;
        t.migrations = 0;
        t.lastCpu = cpu;
    }

    /**
     * sched_switch: prev's slice ended (the kernel charged it just before), next's begins. prev
     * leaves preempted (still runnable: it waits from now) or to sleep; next's wait, and the sleep
     * before it, end here: the wait is charged to this CPU, as are its migrations since it last
     * ran, the sleep to the CPU it left.
     */
    public void onSwitch(long ts, int cpu, int prevTid, int nextTid, long prevState) {
        observe(ts, cpu, prevTid);
        CpuState s = cpus[cpu];
        Task prev = s.curTask;
        int state = (int) (prevState & 0xff);
        long clock = kernelClock(s, ts, prevTid, nextTid, prev != null && s.cur == prevTid && prev.watched()
                && s.charged);
        s.wakee = UNKNOWN;
        s.wakeTs = -1;
        s.tickTs = -1;
        if (prev != null && s.cur == prevTid) {
            if (prev.watched()) {
                counted(prev).counters(cpu)[state == 0 ? Metric.PREEMPT.slot : Metric.VOL.slot]++;
            }
            // A sleep (or io) starts where the kernel dequeued the task and charged it for the
            // last time (dequeue_task() -> update_curr(), kernel/sched/core.c __schedule()): the
            // switch's own event comes after the next task was picked, which for a CPU going
            // idle includes the new-idle balance (1.4 us median for a thread in fdatasync, 20 000
            // times in 5 s: 28 ms no figure had). Not the charges' sum from the slice's start
            // (clock): the kernel charges task-clock time, which leaves out steal, so that sum
            // runs behind (12 us a switch for the fdatasync thread).
            prev.offSince = state == 0 ? clock : s.charged && s.chargedTs <= ts ? s.chargedTs : ts;
            prev.offState = state;
            prev.queuedSince = state == 0 ? clock : -1;
            endSlice(s, cpu);
        }
        retireIfGone(s.curTask);
        Task next = registry.task(nextTid);
        s.runs(nextTid, next, ts);
        s.clock = clock;
        s.startClock = clock;
        s.startPrev = prev != null && prev.tid == prevTid ? prev : null;
        s.repaired = false;
        s.timerStart = -1;
        if (next != null) {
            if (next.watched()) {
                long[] c = counted(next).counters(cpu);
                c[Metric.RUNS.slot]++;
                s.sliceCounted = true;
                arrived(next, cpu, c, ts, clock);
            }
            switchedIn(next, cpu);
        }
    }

    /**
     * Where the run queue's clock stands at a switch at {@code ts}: the kernel's wait of the task
     * switched in ends there, the wait of a task preempted there begins there, and a task going to
     * sleep stops being charged there. The clock is updated at the switch, unless a wake-up that
     * made the CPU reschedule asked __schedule() not to (rq_clock_skip_update() after
     * wakeup_preempt(), kernel/sched/core.c): then it is the wake-up's, and the kernel charges the
     * time from the wake-up to the switch to the wakee as runtime, not as wait.
     *
     * <p>Out of idle, that is the wake-up of the task switched in, unless a tick updated the clock
     * since. After a watched task, the kernel's own charges of it say: the clock at each charge is
     * at most its event's time, and exactly the clock at the previous charge plus the charge, so
     * the clock at its last charge (the one at the switch) is the least of those bounds. After an
     * unwatched one (its charges are not recorded), the switch's time stands, and the kernel's
     * run_delay corrects the difference (WaitAnchor).
     */
    private static long kernelClock(CpuState s, long ts, int prevTid, int nextTid, boolean prevCharged) {
        if (prevTid == 0 && s.wakee == nextTid && s.wakeTs >= 0 && s.wakeTs <= ts) {
            return Math.max(s.wakeTs, Math.min(ts, s.tickTs));
        }
        return prevCharged ? Math.min(ts, s.clock) : ts;
    }

    /**
     * What ended when {@code t} was switched in on {@code cpu} at {@code ts}, the run queue's
     * clock then being {@code clock}: its wait (kept apart until the next snapshot anchors it to
     * the kernel's run_delay), the sleep before it, its migrations.
     */
    private void arrived(Task t, int cpu, long[] c, long ts, long clock) {
        if (t.queuedSince >= 0) {
            long wait = Math.max(0, clock - t.queuedSince);
            c[Metric.WAIT_NS.slot] += wait;
            anchor(t).measured(cpu, ts, wait);
            if (waitHist) {
                c[Metric.WAIT_HIST.slot + Log2Slots.ofNs(wait)]++;
            }
        }
        if (t.offSince >= 0 && t.offState != 0) {
            // It slept until its wake-up, or until the clock its slice starts at when that is
            // earlier: a wake-up that preempts (or ends idle) makes __schedule() keep the clock
            // of the wake-up (rq_clock_skip_update()), taken before its event, and the kernel
            // charges the task from there as running.
            long end = t.queuedSince >= 0 ? Math.min(t.queuedSince, clock) : ts;
            long off = Math.max(0, end - t.offSince);
            int slot = (t.offState & STATE_UNINTERRUPTIBLE) != 0 ? Metric.IO_NS.slot : Metric.SLEEP_NS.slot;
            // to the CPU it left, as the BPF source charges it (and as open sleeps are, at a table)
            int left = t.lastCpu >= 0 && t.lastCpu < cpus.length ? t.lastCpu : cpu;
            (left == cpu ? c : counted(t).counters(left))[slot] += off;
            cpus[cpu].startSleepSlot = slot;
            cpus[cpu].startSleepNs = off;
            cpus[cpu].startSleepEnd = end;
            cpus[cpu].startSleepCpu = left;
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

    /**
     * sched_wakeup, sched_wakeup_new: {@code wakee} is runnable from now on {@code targetCpu}'s
     * run queue, waiting for a CPU.
     */
    public void onWakeup(long ts, int cpu, int tid, int wakee, int targetCpu) {
        observe(ts, cpu, tid);
        if (targetCpu >= 0 && targetCpu < cpus.length) {
            cpus[targetCpu].wakee = wakee;
            cpus[targetCpu].wakeTs = ts;
        }
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
        if (current && s.startClock >= 0) {
            refineStart(s, on, ts - ns);
        }
        if (current) {
            s.sliceNs += ns;
            // the clock at this charge is at most its event's time, and exactly the clock at the
            // previous one plus this charge (update_curr(), kernel/sched/fair.c)
            s.clock = Math.min(s.clock + ns, ts);
            s.charged = true;
            s.chargedTs = ts;
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

    /**
     * The first charge of a slice says where the kernel started it: at most the charge's time
     * less the charge (exec_start, set at the switch, is the clock the charge counts from). A
     * start earlier than the switch's clock was taken to be moves back what ended there: the
     * sleep of a task whose wake-up kept the clock for the switch (taken a little before the
     * wake-up's event, ttwu_do_activate(), kernel/sched/core.c: the kernel charges the task as
     * running from there, so the sleep ends there), and the time off of the task that left.
     */
    private void refineStart(CpuState s, int cpu, long atMost) {
        long d = s.startClock - atMost;
        if (d > 0) {
            long overlap = s.startSleepEnd - atMost;
            if (s.startSleepSlot >= 0 && s.curTask != null && overlap > 0) {
                s.curTask.counters(s.startSleepCpu)[s.startSleepSlot] -= Math.min(overlap, s.startSleepNs);
            }
            Task prev = s.startPrev;
            if (prev != null) {
                if (prev.offSince == s.startClock) {
                    prev.offSince -= d;
                }
                if (prev.queuedSince == s.startClock) {
                    prev.queuedSince -= d;
                }
            }
        }
        s.startClock = -1;
        s.startPrev = null;
        s.startSleepSlot = -1;
    }

    public void onTimerEntry(long ts, int cpu, int tid) {
        observe(ts, cpu, tid);
        CpuState s = cpus[cpu];
        s.tickTs = ts; // the tick updates the run queue's clock (sched_tick())
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
        forgetWaits(task); // its run_delay since the last reading is partly unwatched
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
        forgetWaits(task);
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
        if (!t.counted) {
            t.counted = true;
            counted.add(t);
        }
        return t;
    }

    /**
     * Running totals at {@code ts}, including an estimate of the slices still running then (the
     * clock since their last charge; the kernel's next charge replaces it). Afterwards, tasks
     * that exited and left their CPU are dropped: the snapshot was their last appearance.
     * {@code lostPerCpu} are the kernel's running totals of lost events, passed through.
     */
    public CounterSnapshot snapshot(long ts, boolean fin, long[] lostPerCpu) {
        return snapshot(ts, fin, lostPerCpu, RunDelays.NONE);
    }

    /**
     * The same, with the waits since the last snapshot anchored to the kernel's run_delay as
     * {@code runDelays} read it at {@code ts} (see {@link #anchorWaits}).
     */
    public CounterSnapshot snapshot(long ts, boolean fin, long[] lostPerCpu, RunDelays runDelays) {
        Map<Task, Long> openWaits = chargeOpenSleeps(ts);
        anchorWaits(ts, fin, runDelays);
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
                Long open = openWaits.get(t);
                if (open != null && cpu == Math.max(0, t.lastCpu)) {
                    v[Metric.WAIT_NS.slot] += open;
                }
                rows.add(new CpuTaskCounters(cpu, t.tid, t.incarnation, t.tgid(), t.comm, v));
            }
        }
        Map<Integer, String> cgroups = new java.util.HashMap<>();
        if (registry.spec().mode() == org.proctap.model.TargetSpec.Mode.CGROUP) {
            for (Task t : counted) {
                if (t.proc.cgroup != null) {
                    cgroups.put(t.tgid(), t.proc.cgroup);
                }
            }
        }
        CounterSnapshot snap = new CounterSnapshot(ts, rows, lostPerCpu.clone(), repairs.clone(), repairedNs.clone(),
                fin, measured, cgroups);
        for (Task t : retiring) {
            counted.remove(t);
            t.counted = false;
            anchors.remove(t);
            registry.retire(t);
        }
        retiring.clear();
        return snap;
    }

    /**
     * A watched task off every CPU at {@code ts} has its time off up to then in this snapshot, on
     * the CPU it last ran on, as the BPF source adds an open switch-out: a sleep (or io) is charged
     * for good; a wait only shown, since the kernel adds it to run_delay when it ends, at the
     * switch-in (the next snapshot has it from there: the aggregator never shows less).
     *
     * @return the open waits, by task
     */
    private Map<Task, Long> chargeOpenSleeps(long ts) {
        Map<Task, Long> openWaits = new IdentityHashMap<>();
        for (Task t : registry.watchedTasks()) {
            if (t.offSince >= 0 && t.offState != 0) {
                long end = t.queuedSince >= 0 ? t.queuedSince : ts;
                if (end > t.offSince) {
                    long[] c = counted(t).counters(Math.max(0, t.lastCpu));
                    c[(t.offState & STATE_UNINTERRUPTIBLE) != 0 ? Metric.IO_NS.slot : Metric.SLEEP_NS.slot] += end - t.offSince;
                    t.offSince = end;
                }
            }
            if (t.queuedSince >= 0 && ts > t.queuedSince) {
                counted(t).counters(Math.max(0, t.lastCpu));
                openWaits.put(t, ts - t.queuedSince);
            }
        }
        return openWaits;
    }

    /**
     * Corrects this table's waits by the kernel's run_delay (see {@link WaitAnchor}): by a reading
     * still pending from an earlier table, now that the events up to it are in, and by the one
     * taken for this table, which it ends after when it can (TracefsSource).
     */
    private void anchorWaits(long ts, boolean fin, RunDelays runDelays) {
        for (var e : anchors.entrySet()) {
            correct(e.getKey(), e.getValue(), e.getValue().settle(ts));
        }
        for (RunDelays.Reading r : runDelays.readings()) {
            Task t = registry.task(r.tid());
            if (t != null && t.watched() && (r.incarnation() == RunDelays.ANY_INCARNATION ? !t.exited
                    : t.incarnation == r.incarnation())) {
                anchor(t).read(r.runDelayNs(), r.cutNs());
            }
        }
        // A reading the table ends after is behind its events already; the final one was taken
        // after tracing stopped: behind every event.
        long behind = fin ? Long.MAX_VALUE : ts;
        for (var e : anchors.entrySet()) {
            correct(e.getKey(), e.getValue(), e.getValue().settle(behind));
            e.getValue().nextTable();
        }
    }

    /** Adds {@code due} to {@code t}'s wait in this table, over its CPUs as its measured waits were. */
    private void correct(Task t, WaitAnchor a, long due) {
        if (due == 0) {
            return;
        }
        long sum = 0;
        int most = -1;
        for (int cpu = 0; cpu < a.perCpu.length; cpu++) {
            sum += a.perCpu[cpu];
            if (a.perCpu[cpu] > 0 && (most < 0 || a.perCpu[cpu] > a.perCpu[most])) {
                most = cpu;
            }
        }
        if (due < 0 && -due > sum) {
            a.owe(due + sum);
            due = -sum;
            if (due == 0) {
                return;
            }
        }
        if (sum == 0) {
            counted(t).counters(Math.max(0, t.lastCpu))[Metric.WAIT_NS.slot] += due;
            return;
        }
        long given = 0;
        for (int cpu = 0; cpu < a.perCpu.length; cpu++) {
            if (cpu != most && a.perCpu[cpu] > 0) {
                long share = (long) (due * (a.perCpu[cpu] / (double) sum));
                counted(t).counters(cpu)[Metric.WAIT_NS.slot] += share;
                a.perCpu[cpu] += share;
                given += share;
            }
        }
        counted(t).counters(most)[Metric.WAIT_NS.slot] += due - given;
        a.perCpu[most] += due - given;
    }

    private WaitAnchor anchor(Task t) {
        WaitAnchor a = anchors.get(t); // (no capturing lambda: this runs at every switch-in)
        if (a == null) {
            a = new WaitAnchor(cpus.length);
            anchors.put(t, a);
        }
        return a;
    }

    private void forgetWaits(Task t) {
        WaitAnchor a = anchors.get(t);
        if (a != null) {
            a.forget();
        }
    }

    /**
     * {@code t} was watched at the start, at {@code ts}, in the state /proc showed then (the
     * kernel's state bits, 0 runnable) on {@code cpu}, with {@code runDelayNs} of run_delay read
     * at {@code readNs}: its sleep, or its wait, is counted from the start, as if it had been
     * switched out then, and its waits are anchored to that reading.
     */
    public void baseline(Task t, int stateBits, int cpu, long runDelayNs, long readNs, long ts) {
        anchor(t).read(runDelayNs, readNs);
        if (t.lastCpu < 0 && cpu >= 0 && cpu < cpus.length) {
            t.lastCpu = cpu;
        }
        if (t.offSince >= 0 || t.queuedSince >= 0) {
            return; // events already said more
        }
        t.offSince = ts;
        t.offState = stateBits;
        t.queuedSince = stateBits == 0 ? ts : -1;
    }

    /** {@code t} was just forked: the kernel starts its run_delay at 0 (sched_fork()). */
    public void born(Task t) {
        anchor(t).startAt(0);
    }

    public long[] repairs() {
        return repairs.clone();
    }
}
