package org.proctap.report;

/**
 * What one task did on one CPU, as running totals since proctap started watching it.
 * {@code incarnation} tells apart two tasks that had the same id (pid reuse).
 */
public record CpuTaskCounters(int cpu, int tid, long incarnation, int tgid, String comm, long runs, long oncpuNs,
                              long timerCount, long timerNs) {

    public boolean isZero() {
        return runs == 0 && oncpuNs == 0 && timerCount == 0 && timerNs == 0;
    }

    /** Each counter the larger of the two; the identity (comm, tgid) is this one's. */
    public CpuTaskCounters max(CpuTaskCounters other) {
        return new CpuTaskCounters(cpu, tid, incarnation, tgid, comm, Math.max(runs, other.runs),
                Math.max(oncpuNs, other.oncpuNs), Math.max(timerCount, other.timerCount),
                Math.max(timerNs, other.timerNs));
    }

    public CpuTaskCounters minus(CpuTaskCounters earlier) {
        return new CpuTaskCounters(cpu, tid, incarnation, tgid, comm, runs - earlier.runs, oncpuNs - earlier.oncpuNs,
                timerCount - earlier.timerCount, timerNs - earlier.timerNs);
    }
}
