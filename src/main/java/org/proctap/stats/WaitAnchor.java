package org.proctap.stats;

/**
 * One task's wait, as its events measure it, kept true to the kernel's run_delay.
 *
 * <p>The kernel's run_delay starts and ends at the run queue's clock, which a wake-up that
 * reschedules leaves behind by as much as its IPI takes (SchedAccounting's kernelClock), a stale
 * clock proctap can see only for the wake-ups it records. So each table shows the waits its
 * events measured, plus a correction: whenever two readings of run_delay are both behind the
 * events processed, the difference between what the kernel added between them and what the
 * events measured between the same two moments. A reading is late by however long its thread
 * waited for a CPU; the correction does not care, since it compares like with like. Over a whole
 * watch the waits add up to the kernel's; a table carries the previous window's correction. A
 * correction never takes a table's wait below zero: what is left waits for the next table.
 */
final class WaitAnchor {
    /** run_delay at the last reading applied, -1 before the first. */
    private long anchor = -1;
    /** A reading not applied yet (-1: none), and the moment it was taken. */
    private long pending = -1;
    private long pendingCut;
    /** Waits measured since the anchor up to the pending reading (all of them if none is pending), and after it. */
    private long toCut;
    private long afterCut;
    /** A negative correction not applied yet. */
    private long debt;
    /** This table's measured waits per CPU: where its correction goes. */
    final long[] perCpu;

    WaitAnchor(int ncpu) {
        perCpu = new long[ncpu];
    }

    /** A wait of {@code ns}, ended by a switch-in on {@code cpu} at {@code ts}. */
    void measured(int cpu, long ts, long ns) {
        perCpu[cpu] += ns;
        if (pending >= 0 && ts > pendingCut) {
            afterCut += ns;
        } else {
            toCut += ns;
        }
    }

    /** run_delay is {@code runDelayNs} now, and no wait of the task has been measured since. */
    void startAt(long runDelayNs) {
        anchor = runDelayNs;
        pending = -1;
        toCut = 0;
        afterCut = 0;
    }

    /** The task's run_delay since the anchor is not all its watched waits (exec, rename): start over. */
    void forget() {
        anchor = -1;
        pending = -1;
        toCut = 0;
        afterCut = 0;
        debt = 0;
    }

    /** A reading, taken at {@code cutNs}; ignored while an earlier one is still pending. */
    void read(long runDelayNs, long cutNs) {
        if (pending < 0) {
            pending = runDelayNs;
            pendingCut = cutNs;
        }
    }

    /**
     * Applies the pending reading if every event up to it has been processed ({@code processedNs}):
     * the correction due, plus any debt, for the caller to add to this table.
     */
    long settle(long processedNs) {
        if (pending < 0 || pendingCut > processedNs) {
            return 0;
        }
        long correction = anchor >= 0 && pending >= anchor ? pending - anchor - toCut : 0;
        anchor = pending;
        pending = -1;
        toCut = afterCut;
        afterCut = 0;
        long due = correction + debt;
        debt = 0;
        return due;
    }

    /** Of a negative correction {@code due}, the table could take only {@code due - left}. */
    void owe(long left) {
        debt += left;
    }

    void nextTable() {
        java.util.Arrays.fill(perCpu, 0);
    }
}
