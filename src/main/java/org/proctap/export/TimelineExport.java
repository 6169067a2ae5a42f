package org.proctap.export;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.proctap.event.Event;
import org.proctap.event.SchedSwitch;
import org.proctap.event.SchedRuntime;
import org.proctap.event.SchedWakeup;
import org.proctap.metric.Log2Slots;
import org.proctap.metric.Metric;
import org.proctap.model.Task;
import org.proctap.model.TaskRegistry;
import org.proctap.report.ProcessSummary;
import org.proctap.source.tracefs.RecordedSource;
import org.proctap.source.tracefs.RecordingInfo;
import org.proctap.timeline.TaskTable;
import org.proctap.timeline.Timeline;
import org.proctap.timeline.TimelineWriter;
import org.proctap.timeline.WaitHistogram;

/**
 * proctap report --html: a recording as a timeline page. A slice runs from a task's switch-in to
 * the next switch on its CPU; the idle task draws none. A wait runs from the wake-up (or the
 * preemption that left the task runnable) to its switch-in. A task woken onto an idle CPU runs,
 * for the kernel, from that wake-up: the wake-up's enqueue updated the run queue clock and the
 * switch out of idle does not again (docs/kernel-notes.md), and that wake-up fires on the idle
 * CPU in idle context. Such a slice starts there, as the on-CPU figures do. A wake-up that
 * preempts the running task freezes the clock the same way (wakeup_preempt() calls
 * rq_clock_skip_update() once it set need_resched, kernel/sched/core.c): the preempted task's
 * charges then end, and the woken task's begin, at the wake-up. Whether a given wake-up did is
 * not in the events, but the preempted task's charges say it: when the slice they add up to ends
 * nearer the wake-up than the switch, the cut is at the wake-up. The recording keeps
 * the switches of watched tasks only, so an unwatched task's slice ends at the next switch
 * recorded there.
 */
public final class TimelineExport implements RecordedSource.EventTap {
    private final Timeline timeline;
    private final int[] current;
    private final long[] since;
    private final String[] comm;
    private final Map<Integer, Long> runnableSince = new HashMap<>();
    private final long[] waitSlots = new long[Log2Slots.COUNT];
    /** Per CPU, the last task woken onto it since its last switch, and when (-1: none). */
    private final int[] woken;
    private final long[] wokenAt;
    /** Per CPU, the running task's charges since its slice began. */
    private final long[] charged;
    private final boolean[] wokenInIdle;
    private TaskRegistry registry;

    public TimelineExport(RecordingInfo info, String title) {
        timeline = new Timeline(info.cpus());
        timeline.title(title);
        current = new int[info.cpus()];
        since = new long[info.cpus()];
        comm = new String[info.cpus()];
        java.util.Arrays.fill(current, -1);
        woken = new int[info.cpus()];
        wokenAt = new long[info.cpus()];
        charged = new long[info.cpus()];
        wokenInIdle = new boolean[info.cpus()];
        java.util.Arrays.fill(woken, -1);
    }

    @Override
    public void event(Event event, TaskRegistry registry) {
        this.registry = registry;
        switch (event) {
            case SchedSwitch s -> {
                int cpu = s.cpu();
                if (cpu < 0 || cpu >= current.length) {
                    return;
                }
                // out of idle, or after a preempting wake-up, the kernel charges next from its wake-up
                boolean wokenHere = woken[cpu] == s.nextTid() && s.nextTid() != 0 && wokenAt[cpu] <= s.ts()
                        && wokenAt[cpu] >= since[cpu];
                boolean fromWake = wokenHere && (s.prevTid() == 0 ? wokenInIdle[cpu] : s.preempted()
                        && current[cpu] == s.prevTid() && chargedEnd(cpu, s.ts(), wokenAt[cpu]));
                long cut = fromWake ? Math.max(wokenAt[cpu], since[cpu]) : s.ts();
                charged[cpu] = 0;
                if (current[cpu] > 0 && cut >= since[cpu]) {
                    slice(cpu, current[cpu], comm[cpu], since[cpu], cut);
                }
                if (s.preempted() && s.prevTid() != 0) {
                    runnableSince.put(s.prevTid(), s.ts());
                }
                current[cpu] = s.nextTid();
                since[cpu] = cut;
                comm[cpu] = s.nextComm();
                Long woke = runnableSince.remove(s.nextTid());
                if (fromWake) {
                    woke = null; // (its wait is no wait for the kernel either)
                }
                woken[cpu] = -1;
                if (woke != null && s.nextTid() != 0 && woke <= s.ts()) {
                    timeline.waitMark(cpu, s.nextTid(), woke, s.ts());
                    waitSlots[Log2Slots.ofNs(s.ts() - woke)]++;
                }
            }
            case SchedRuntime r -> {
                int at = r.cpu() >= 0 && r.cpu() < current.length && current[r.cpu()] == r.pid() ? r.cpu() : -1;
                for (int c = 0; at < 0 && c < current.length; c++) {
                    if (current[c] == r.pid()) {
                        at = c; // (a charge made from another CPU)
                    }
                }
                if (at >= 0) {
                    charged[at] += r.runtimeNs();
                }
            }
            case SchedWakeup w -> {
                runnableSince.putIfAbsent(w.wakee(), w.ts());
                int target = w.targetCpu();
                if (target >= 0 && target < current.length) {
                    woken[target] = w.wakee();
                    wokenAt[target] = w.ts();
                    wokenInIdle[target] = w.tid() == 0 && w.cpu() == target; // (on the idle CPU itself)
                }
            }
            default -> {
            }
        }
    }

    /**
     * Whether the slice on {@code cpu}, as its task's charges add up since it began, ends nearer
     * the wake-up at {@code wokeAt} than the switch at {@code switchTs}: the clock stood still
     * from the wake-up. No charges (an unwatched task's are not recorded): no.
     */
    private boolean chargedEnd(int cpu, long switchTs, long wokeAt) {
        if (charged[cpu] == 0) {
            return false;
        }
        long end = since[cpu] + charged[cpu];
        return Math.abs(end - wokeAt) < Math.abs(end - switchTs);
    }

    private void slice(int cpu, int tid, String name, long from, long to) {
        Task t = registry.task(tid);
        timeline.slice(cpu, from, to, tid, t != null ? t.tgid() : tid, name, t != null && t.watched());
    }

    @Override
    public void lost(int cpu, long ts) {
        // the page marks it; the slices around it are as recorded
    }

    /**
     * Writes the page: the slices still running end at {@code stopNs}; {@code processes} is the
     * report's final summary, one row per watched process.
     */
    public void write(OutputStream out, long stopNs, List<ProcessSummary> processes) throws IOException {
        for (int cpu = 0; cpu < current.length; cpu++) {
            if (current[cpu] > 0 && stopNs > since[cpu] && registry != null) {
                slice(cpu, current[cpu], comm[cpu], since[cpu], stopNs);
            }
        }
        List<List<Object>> rows = new ArrayList<>();
        for (ProcessSummary p : processes) {
            long[] v = p.values();
            rows.add(List.of(p.tgid(), p.comm(), v[Metric.ONCPU_NS.slot] / 1e6, v[Metric.WAIT_NS.slot] / 1e6,
                    v[Metric.RUNS.slot], v[Metric.PREEMPT.slot], v[Metric.VOL.slot], v[Metric.MIGR.slot]));
        }
        timeline.table(new TaskTable(List.of("PID", "comm", "on-cpu ms", "wait ms", "runs", "preempt", "vol", "migr"),
                rows));
        timeline.waitHistogram(new WaitHistogram("waits (wake-up to switch-in)", waitSlots));
        TimelineWriter.write(timeline, out);
    }
}
