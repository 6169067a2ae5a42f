package org.proctap.export;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.proctap.event.Event;
import org.proctap.event.SchedSwitch;
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
 * CPU in idle context. Such a slice starts there, as the on-CPU figures do. The recording keeps
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
                // out of idle, the kernel charges next from its wake-up there
                boolean fromWake = woken[cpu] == s.nextTid() && s.nextTid() != 0 && s.prevTid() == 0
                        && wokenAt[cpu] <= s.ts();
                long cut = fromWake ? Math.max(wokenAt[cpu], since[cpu]) : s.ts();
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
            case SchedWakeup w -> {
                runnableSince.putIfAbsent(w.wakee(), w.ts());
                if (w.tid() == 0 && w.cpu() == w.targetCpu() && w.cpu() >= 0 && w.cpu() < current.length) {
                    woken[w.cpu()] = w.wakee(); // (in idle context on the idle CPU itself)
                    wokenAt[w.cpu()] = w.ts();
                }
            }
            default -> {
            }
        }
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
