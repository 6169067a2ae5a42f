package org.proctap.timeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a scheduling timeline shows, built as the events stream by: a lane per CPU holding who ran
 * when ({@link #slice}) and who waited before running ({@link #waitMark}), the per-task table and
 * the wait histograms. Times are CLOCK_MONOTONIC nanoseconds. Slices and waits are kept only as
 * varint deltas (see {@link Lane}), 5-6 bytes a slice and as many a wait, so a 10 s pipe storm
 * of 1.6 M switches takes some 18 MB; {@link TimelineWriter} writes it out as one HTML page.
 *
 * <p>Per CPU, slices must come in time order without overlapping, and waits in the order of their
 * switch-ins; a CPU idle has no slice. Not thread-safe: one producer feeds it.
 */
public final class Timeline {
    private final Lane[] lanes;
    private final Map<Task, Integer> taskIds = new HashMap<>();
    private final List<Task> tasks = new ArrayList<>();
    private TaskTable table = TaskTable.EMPTY;
    private final List<WaitHistogram> histograms = new ArrayList<>();
    private String title = "proctap timeline";

    /** A timeline of {@code cpus} lanes, CPUs 0 to cpus - 1, each drawn even if it stays idle. */
    public Timeline(int cpus) {
        if (cpus < 1) {
            throw new IllegalArgumentException("a timeline needs at least one CPU, not " + cpus);
        }
        lanes = new Lane[cpus];
        for (int i = 0; i < cpus; i++) {
            lanes[i] = new Lane(i);
        }
    }

    /**
     * {@code tid} (of process {@code tgid}, named {@code comm}) ran on {@code cpu} from
     * {@code startNs} to {@code endNs}; {@code watched} tasks are coloured by process, others grey.
     */
    public void slice(int cpu, long startNs, long endNs, int tid, int tgid, String comm, boolean watched) {
        lane(cpu).slice(startNs, endNs, taskId(new Task(tid, tgid, comm, watched)));
    }

    /** {@code tid} was woken at {@code wokeNs} and waited on {@code cpu}'s run queue until {@code switchedInNs}. */
    public void waitMark(int cpu, int tid, long wokeNs, long switchedInNs) {
        lane(cpu).waitMark(tid, wokeNs, switchedInNs);
    }

    /** The per-task table shown beside the timeline (replaces any earlier one). */
    public void table(TaskTable table) {
        this.table = Objects.requireNonNull(table);
    }

    /** Adds a wait histogram, shown beside the timeline in the order added. */
    public void waitHistogram(WaitHistogram histogram) {
        histograms.add(Objects.requireNonNull(histogram));
    }

    /** The page's title (e.g. the recording's file and target). */
    public void title(String title) {
        this.title = Objects.requireNonNull(title);
    }

    public int cpus() {
        return lanes.length;
    }

    /** Slices recorded on every CPU. */
    public long slices() {
        long n = 0;
        for (Lane l : lanes) {
            n += l.sliceCount;
        }
        return n;
    }

    /** Waits recorded on every CPU. */
    public long waits() {
        long n = 0;
        for (Lane l : lanes) {
            n += l.waitCount;
        }
        return n;
    }

    /** Bytes of slice and wait data held (what the page embeds, before base64). */
    public long dataBytes() {
        long n = 0;
        for (Lane l : lanes) {
            n += l.slices.size() + l.waits.size();
        }
        return n;
    }

    List<Task> tasks() {
        return tasks;
    }

    Lane lane(int cpu) {
        if (cpu < 0 || cpu >= lanes.length) {
            throw new IllegalArgumentException("cpu " + cpu + " is not one of the timeline's " + lanes.length);
        }
        return lanes[cpu];
    }

    TaskTable table() {
        return table;
    }

    List<WaitHistogram> histograms() {
        return histograms;
    }

    String title() {
        return title;
    }

    /** The earliest time of any slice or wait; 0 when there is none. */
    long originNs() {
        long min = Long.MAX_VALUE;
        for (Lane l : lanes) {
            min = Math.min(min, l.minNs);
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    /** The latest time of any slice or wait; 0 when there is none. */
    long endNs() {
        long max = Long.MIN_VALUE;
        for (Lane l : lanes) {
            max = Math.max(max, l.maxNs);
        }
        return max == Long.MIN_VALUE ? 0 : max;
    }

    private int taskId(Task t) {
        Integer id = taskIds.get(t);
        if (id == null) {
            id = tasks.size();
            tasks.add(t);
            taskIds.put(t, id);
        }
        return id;
    }
}
