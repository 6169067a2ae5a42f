package org.proctap.model;

/**
 * One kernel task (a thread; {@code tid} is what the seed's table calls PID) that proctap knows
 * about, with its process and, once watched, what it did on each CPU. Mutated only by the thread
 * that processes events.
 */
public final class Task {
    public final int tid;
    public final long incarnation;
    public Proc proc;
    public String comm;
    /** sched_process_exit was seen; the task still switches out one last time. */
    public boolean exited;
    /** Per-CPU counters, allocated on first use. */
    private CpuCounters[] counters;

    Task(int tid, long incarnation, Proc proc, String comm) {
        this.tid = tid;
        this.incarnation = incarnation;
        this.proc = proc;
        this.comm = comm;
    }

    public int tgid() {
        return proc.tgid;
    }

    public boolean watched() {
        return proc.watched;
    }

    public CpuCounters counters(int cpu) {
        if (counters == null || cpu >= counters.length) {
            CpuCounters[] grown = new CpuCounters[Math.max(cpu + 1, counters == null ? 2 : counters.length * 2)];
            if (counters != null) {
                System.arraycopy(counters, 0, grown, 0, counters.length);
            }
            counters = grown;
        }
        CpuCounters c = counters[cpu];
        if (c == null) {
            c = new CpuCounters();
            counters[cpu] = c;
        }
        return c;
    }

    /** Counters for {@code cpu}, or null when the task never did anything there. */
    public CpuCounters countersIfAny(int cpu) {
        return counters == null || cpu >= counters.length ? null : counters[cpu];
    }

    public int countersLength() {
        return counters == null ? 0 : counters.length;
    }

    /** Running totals of one task on one CPU. */
    public static final class CpuCounters {
        public long runs;
        public long oncpuNs;
        public long timerCount;
        public long timerNs;
    }

    @Override
    public String toString() {
        return "Task[" + tid + " " + comm + " tgid=" + proc.tgid + (exited ? " exited" : "") + "]";
    }
}
