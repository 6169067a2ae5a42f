package org.proctap.source.proc;

import org.proctap.metric.Metric;
import org.proctap.metric.Values;
import org.proctap.proc.Schedstat;
import org.proctap.proc.Stat;
import org.proctap.proc.Status;

/**
 * One thread's files as one poll read them: schedstat (on-CPU ns, run-queue wait ns, arrivals on
 * a CPU), status (its context switches) and stat (its name, state, start time and CPU). Every
 * figure is a running total the kernel keeps in the task_struct, so two readings subtract exactly.
 */
record TaskReading(Schedstat schedstat, Status status, Stat stat) {

    /** The figures this source measures, in schema order ({@link #MEASURED}); the other slots 0. */
    long[] values() {
        long[] v = Values.zero();
        // pcount: sched_info_arrive() counts each arrival of the task on a CPU after it was
        // queued (kernel/sched/stats.h), i.e. each switch-in: what the event sources count as run.
        v[Metric.RUNS.slot] = schedstat.pcount();
        v[Metric.ONCPU_NS.slot] = schedstat.oncpuNs();
        v[Metric.WAIT_NS.slot] = schedstat.runDelayNs();
        v[Metric.PREEMPT.slot] = status.nonvoluntary();
        v[Metric.VOL.slot] = status.voluntary();
        return v;
    }

    /** The figures /proc gives per task (the others need the scheduler's events). */
    static final java.util.Set<Metric> MEASURED = java.util.Set.copyOf(java.util.EnumSet.of(
            Metric.RUNS, Metric.ONCPU_NS, Metric.WAIT_NS, Metric.PREEMPT, Metric.VOL));

    /** A zombie: it exited and these are its final figures (its parent has not reaped it yet). */
    boolean dead() {
        return stat.state() == 'Z' || stat.state() == 'X';
    }

    /** Parses the three files' bytes. */
    static TaskReading parse(byte[] schedstat, int schedstatLength, byte[] status, int statusLength, byte[] stat,
                             int statLength) {
        return new TaskReading(Schedstat.parse(schedstat, schedstatLength), Status.parse(status, statusLength),
                Stat.parse(stat, statLength));
    }
}
