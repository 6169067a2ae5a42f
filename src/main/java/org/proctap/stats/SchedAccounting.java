package org.proctap.stats;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.proctap.model.Task;
import org.proctap.model.TaskRegistry;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuTaskCounters;

/**
 * Turns a time-ordered stream of scheduler events into per-CPU, per-task running totals: how often
 * a watched task was switched in, how long it ran, how many timer interrupts hit it and how long
 * they took. This is the user-space twin of the BPF program's accounting and follows the same
 * rules.
 *
 * <p>Per CPU it keeps the task it believes is running and since when. Every event tells who is
 * current on its CPU ({@code common_pid}), not only sched_switch: that is how it notices switches
 * the kernel never reported. On the machines proctap targets, sched_switch out of the idle task on
 * some CPUs never fires (perf sees the same gap), so a task can be seen running, or switching out,
 * without having been seen switching in. Such a break is repaired: the missed switch is placed at
 * the moment the new task was last made runnable on this CPU by a wake-up or migration when the CPU
 * was idle (as for a reported switch out of idle, see {@link #onSwitch}), else at the last evidence
 * that the previous task was running; the new task is credited from there and counted as switched
 * in once, and the repair is counted per CPU.
 */
public final class SchedAccounting {
    /** The per-CPU state says nothing yet (start, or just after lost events). */
    private static final int UNKNOWN = -1;
    /** Every CPU's idle task has pid 0. */
    private static final int IDLE = 0;

    private final TaskRegistry registry;
    private final CpuState[] cpus;
    private final long[] repairs;
    /** Tasks with counters, in first-seen order; exited ones leave after the next snapshot. */
    private final Set<Task> counted = new LinkedHashSet<>();
    private final Set<Task> retiring = new LinkedHashSet<>();

    public SchedAccounting(TaskRegistry registry, int ncpu, long startTs) {
        this.registry = registry;
        this.cpus = new CpuState[ncpu];
        for (int i = 0; i < ncpu; i++) {
            cpus[i] = new CpuState(startTs);
        }
        this.repairs = new long[ncpu];
    }

    private static final class CpuState {
        int cur = UNKNOWN;
        Task curTask;
        long since;
        /** Last time something showed {@code cur} running here. */
        long evidence;
        /** A snapshot already reported cur's slice up to here: never credit less than that. */
        long reportedUpTo;
        long timerStart = -1;
        Task timerTask;

        CpuState(long start) {
            since = start;
            evidence = start;
            reportedUpTo = start;
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
            // First sight since the start (or a loss): it has been running since s.since as far
            // as we can tell; its switch-in happened before we looked, so it is not counted.
            s.cur = tid;
            s.curTask = t;
            s.evidence = ts;
            return;
        }
        if (s.curTask == null && t == null) {
            s.cur = tid;
            s.since = ts;
            s.evidence = ts;
            s.reportedUpTo = ts;
            return;
        }
        repair(s, ts, cpu, tid, t);
    }

    private void repair(CpuState s, long ts, int cpu, int tid, Task next) {
        repairs[cpu]++;
        long at = s.evidence;
        long hint = enqueuedHere(next, cpu, s.since, ts);
        if (hint >= 0) {
            // Leaving idle, the kernel charges the task from its wake-up (see onSwitch); after a
            // real task, that task still ran until its last evidence.
            at = s.cur == IDLE ? hint : Math.max(at, hint);
        }
        at = Math.max(at, s.reportedUpTo);
        if (at > ts) {
            at = ts;
        }
        credit(s.curTask, cpu, s.since, at);
        if (s.curTask != null && s.curTask.exited) {
            retiring.add(s.curTask);
        }
        s.cur = tid;
        s.curTask = next;
        s.since = at;
        s.reportedUpTo = at;
        s.evidence = ts;
        if (next != null && next.watched()) {
            counted(next).counters(cpu).runs++;
        }
    }

    /** When {@code t} was last made runnable on {@code cpu}, if that was in [from, to]; else -1. */
    private static long enqueuedHere(Task t, int cpu, long from, long to) {
        if (t != null && t.enqueueCpu == cpu && t.enqueueTs >= from && t.enqueueTs <= to) {
            return t.enqueueTs;
        }
        return -1;
    }

    /**
     * sched_switch. A task that takes over an idle CPU is charged from the moment it was made
     * runnable there, not from the switch: that is what the kernel's own accounting does (the run
     * queue clock is last updated by the wake-up's enqueue, and __schedule() out of idle does not
     * update it again before the new task's exec_start is taken from it; kernel/sched/core.c), and
     * on this machine it is 15-30 us per wake-up, 2% of a task that sleeps every millisecond.
     */
    public void onSwitch(long ts, int cpu, int prevTid, int nextTid) {
        observe(ts, cpu, prevTid);
        CpuState s = cpus[cpu];
        credit(s.curTask, cpu, s.since, ts);
        if (s.curTask != null && s.curTask.exited) {
            retiring.add(s.curTask);
        }
        Task next = registry.task(nextTid);
        long start = ts;
        if (prevTid == IDLE) {
            long hint = enqueuedHere(next, cpu, Math.max(s.since, s.reportedUpTo), ts);
            if (hint >= 0) {
                start = hint;
            }
        }
        s.cur = nextTid;
        s.curTask = next;
        s.since = start;
        s.evidence = ts;
        s.reportedUpTo = start;
        s.timerStart = -1;
        if (next != null && next.watched()) {
            counted(next).counters(cpu).runs++;
        }
    }

    /** sched_wakeup(_new) or sched_migrate_task: {@code tid} became runnable on {@code targetCpu}. */
    public void onEnqueue(long ts, int tid, int targetCpu) {
        Task t = registry.task(tid);
        if (t != null) {
            t.enqueueCpu = targetCpu;
            t.enqueueTs = ts;
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
            Task.CpuCounters c = counted(s.timerTask).counters(cpu);
            c.timerCount++;
            c.timerNs += Math.max(0, ts - s.timerStart);
        }
        s.timerStart = -1;
        s.timerTask = null;
    }

    /**
     * Events were lost on {@code cpu} before {@code ts}: whatever ran there since the last event
     * is unknown. The current slice is closed at its last evidence and the state restarts.
     * (How many were lost is the source's business: the kernel counts them.)
     */
    public void onLost(long ts, int cpu) {
        CpuState s = cpus[cpu];
        long end = Math.max(s.evidence, s.reportedUpTo);
        credit(s.curTask, cpu, s.since, end);
        s.cur = UNKNOWN;
        s.curTask = null;
        s.since = ts;
        s.evidence = ts;
        s.reportedUpTo = ts;
        s.timerStart = -1;
        s.timerTask = null;
    }

    /**
     * The task's watched state is about to change (exec, rename): close its running slice at
     * {@code ts} under the old state so time is attributed to what was true then.
     */
    public void split(long ts, Task task) {
        for (int cpu = 0; cpu < cpus.length; cpu++) {
            CpuState s = cpus[cpu];
            if (s.curTask == task && ts >= s.since) {
                credit(task, cpu, s.since, ts);
                s.since = ts;
                s.reportedUpTo = Math.max(s.reportedUpTo, ts);
            }
        }
    }

    /** After an exec by a non-leader thread, the running task carries the leader's id. */
    public void replace(long ts, Task before, Task after) {
        for (int cpu = 0; cpu < cpus.length; cpu++) {
            CpuState s = cpus[cpu];
            if (s.curTask == before) {
                credit(before, cpu, s.since, ts);
                s.cur = after.tid;
                s.curTask = after;
                s.since = ts;
                s.reportedUpTo = Math.max(s.reportedUpTo, ts);
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
        if (s.curTask != null && s.curTask != task) {
            credit(s.curTask, cpu, s.since, Math.min(ts, Math.max(s.evidence, s.reportedUpTo)));
        } else if (s.curTask == task) {
            credit(task, cpu, s.since, ts);
        }
        s.cur = task.tid;
        s.curTask = task;
        s.since = ts;
        s.evidence = ts;
        s.reportedUpTo = ts;
    }

    private void credit(Task t, int cpu, long from, long to) {
        if (t == null || !t.watched() || to <= from) {
            return;
        }
        counted(t).counters(cpu).oncpuNs += to - from;
    }

    private Task counted(Task t) {
        counted.add(t);
        return t;
    }

    /**
     * Running totals at {@code ts}, including the slices still running then. Afterwards, tasks
     * that exited and left their CPU are dropped: the snapshot was their last appearance.
     * {@code lostPerCpu} are the kernel's running totals of lost events, passed through.
     */
    public CounterSnapshot snapshot(long ts, boolean fin, long[] lostPerCpu) {
        List<CpuTaskCounters> rows = new ArrayList<>();
        long[] running = new long[cpus.length];
        Task[] runningTask = new Task[cpus.length];
        for (int cpu = 0; cpu < cpus.length; cpu++) {
            CpuState s = cpus[cpu];
            if (s.curTask != null && s.curTask.watched() && ts > s.since) {
                running[cpu] = ts - s.since;
                runningTask[cpu] = s.curTask;
                counted(s.curTask).counters(cpu);
                s.reportedUpTo = Math.max(s.reportedUpTo, ts);
            }
        }
        for (Task t : counted) {
            for (int cpu = 0; cpu < t.countersLength(); cpu++) {
                Task.CpuCounters c = t.countersIfAny(cpu);
                if (c == null) {
                    continue;
                }
                long oncpu = c.oncpuNs + (cpu < cpus.length && runningTask[cpu] == t ? running[cpu] : 0);
                rows.add(new CpuTaskCounters(cpu, t.tid, t.incarnation, t.tgid(), t.comm, c.runs, oncpu,
                        c.timerCount, c.timerNs));
            }
        }
        CounterSnapshot snap = new CounterSnapshot(ts, rows, lostPerCpu.clone(), repairs.clone(), fin);
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
