package org.proctap.model;

import org.proctap.metric.Values;

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
    /**
     * For the event accounting, while the task is off every CPU: when it left its last one (-1:
     * not seen), its state then (sched_switch's prev_state letters, 0 = still runnable), since
     * when it is runnable again (-1: not yet), and its migrations since its last switch-in.
     */
    public long offSince = -1;
    public int offState;
    public long queuedSince = -1;
    public int migrations;
    /** The CPU it was last seen switched in on (-1: none yet). */
    public int lastCpu = -1;
    /** It is in the event accounting's set of tasks with counters (a test per event, not a hash). */
    public boolean counted;
    /** Per-CPU running totals in schema order (org.proctap.metric.Metric), allocated on first use. */
    private long[][] counters;

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

    public long[] counters(int cpu) {
        if (counters == null || cpu >= counters.length) {
            long[][] grown = new long[Math.max(cpu + 1, counters == null ? 2 : counters.length * 2)][];
            if (counters != null) {
                System.arraycopy(counters, 0, grown, 0, counters.length);
            }
            counters = grown;
        }
        long[] c = counters[cpu];
        if (c == null) {
            c = Values.zero();
            counters[cpu] = c;
        }
        return c;
    }

    /** Counters for {@code cpu}, or null when the task never did anything there. */
    public long[] countersIfAny(int cpu) {
        return counters == null || cpu >= counters.length ? null : counters[cpu];
    }

    public int countersLength() {
        return counters == null ? 0 : counters.length;
    }

    @Override
    public String toString() {
        return "Task[" + tid + " " + comm + " tgid=" + proc.tgid + (exited ? " exited" : "") + "]";
    }
}
