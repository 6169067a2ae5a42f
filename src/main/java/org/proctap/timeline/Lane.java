package org.proctap.timeline;

/**
 * One CPU's slices and waits as compact varint streams (the format {@link TimelineWriter} embeds):
 *
 * <ul>
 * <li>slices: per slice, gap (start - previous slice's end; the first: start - {@code sliceBase}),
 * length (end - start), task index;
 * <li>waits: per wait, step (switch-in - previous wait's switch-in; the first: switch-in -
 * {@code waitBase}), length (switch-in - wake-up), tid.
 * </ul>
 *
 * Slices come in time order and do not overlap (a CPU runs one task at a time); waits come in the
 * order of their switch-ins and may overlap (several tasks can wait on one run queue).
 */
final class Lane {
    final int cpu;
    final VarintBuffer slices = new VarintBuffer();
    final VarintBuffer waits = new VarintBuffer();
    long sliceCount;
    long waitCount;
    long sliceBase;
    long waitBase;
    private long lastEnd;
    private long lastSwitchIn;
    long minNs = Long.MAX_VALUE;
    long maxNs = Long.MIN_VALUE;

    Lane(int cpu) {
        this.cpu = cpu;
    }

    void slice(long startNs, long endNs, int task) {
        if (endNs < startNs) {
            throw new IllegalArgumentException("cpu " + cpu + ": slice " + startNs + ".." + endNs + " ends before it starts");
        }
        if (sliceCount == 0) {
            sliceBase = startNs;
            lastEnd = startNs;
        } else if (startNs < lastEnd) {
            throw new IllegalArgumentException("cpu " + cpu + ": slice at " + startNs
                    + " starts before the previous one ends at " + lastEnd);
        }
        slices.put(startNs - lastEnd);
        slices.put(endNs - startNs);
        slices.put(task);
        lastEnd = endNs;
        sliceCount++;
        span(startNs, endNs);
    }

    void waitMark(int tid, long wokeNs, long switchedInNs) {
        if (switchedInNs < wokeNs) {
            throw new IllegalArgumentException("cpu " + cpu + ": tid " + tid + " switched in at " + switchedInNs
                    + " before its wake-up at " + wokeNs);
        }
        if (tid < 0) {
            throw new IllegalArgumentException("cpu " + cpu + ": wait of a negative tid " + tid);
        }
        if (waitCount == 0) {
            waitBase = switchedInNs;
            lastSwitchIn = switchedInNs;
        } else if (switchedInNs < lastSwitchIn) {
            throw new IllegalArgumentException("cpu " + cpu + ": wait ending at " + switchedInNs
                    + " comes after one ending at " + lastSwitchIn);
        }
        waits.put(switchedInNs - lastSwitchIn);
        waits.put(switchedInNs - wokeNs);
        waits.put(tid);
        lastSwitchIn = switchedInNs;
        waitCount++;
        span(wokeNs, switchedInNs);
    }

    private void span(long from, long to) {
        minNs = Math.min(minNs, from);
        maxNs = Math.max(maxNs, to);
    }
}
