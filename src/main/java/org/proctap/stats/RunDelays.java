package org.proctap.stats;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's own run_delay (sched_info.run_delay, /proc/PID/task/TID/schedstat field 2) of
 * watched tasks, read one after another: for each, when it was read ({@code cutNs}, just before
 * the read, on the trace clock) and what it said. A task is named by its tid and incarnation, so
 * that a reused tid never takes another's reading.
 */
public final class RunDelays {
    /** No reading: every wait is the one measured from events. */
    public static final RunDelays NONE = new RunDelays();

    /**
     * A reading of whichever task holds the tid when the reading is applied (one taken after
     * tracing stopped, of a task the caller did not know yet).
     */
    public static final long ANY_INCARNATION = -1;

    public record Reading(int tid, long incarnation, long runDelayNs, long cutNs) {
    }

    private final List<Reading> readings = new ArrayList<>();
    private long endNs = -1;

    /** The reading is complete at {@code ns}: every task in it was read by then. */
    public void end(long ns) {
        endNs = ns;
    }

    /** When the reading was complete, -1 for {@link #NONE}. */
    public long endNs() {
        return endNs;
    }

    public void put(int tid, long incarnation, long runDelayNs, long cutNs) {
        readings.add(new Reading(tid, incarnation, runDelayNs, cutNs));
    }

    public List<Reading> readings() {
        return readings;
    }
}
