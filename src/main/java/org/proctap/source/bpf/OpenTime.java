package org.proctap.source.bpf;

import java.util.Map;

import org.proctap.metric.Metric;

/**
 * The time off the CPU that the program has not charged yet when a table is read: a task's time
 * since its last switch-out is charged at its next switch-out (struct pt_counts), so a table adds
 * it from three reads made one after the other: the counters (each task's open switch-out, {@link
 * Off}), the task iterator ({@link TaskNow}) and cpu_state (who runs since when, {@link Running}).
 *
 * <p>A table never shows less than an earlier one did (IntervalAggregator keeps the higher
 * total), so time shown here in the wrong figure is counted twice once the program charges it
 * in the right one. Everything is therefore shown as the program will charge it: a sleep (or
 * block) up to the wait that ended it (the program subtracts the kernel's wait, run_delay), the
 * wait on the CPU the task runs on, and nothing that the reads cannot vouch for. The table is of
 * the moment before the iterator is read; a task whose switch-out in the counters (read after)
 * is not the one the iterator saw has switched out since, and the counters hold all of its time
 * up to then: a little of the next table's is in this one, and nothing is counted twice.
 */
final class OpenTime {
    /** A task's latest switch-out whose time off is not yet charged: from cpu, at since, in state. */
    record Off(int cpu, long since, int state) {
    }

    /** A watched task running on cpu since since, as cpu_state says. */
    record Running(int cpu, long since) {
    }

    /** Receives ns of a metric for a task on a CPU. */
    interface Sink {
        void add(int tid, int cpu, Metric m, long ns);
    }

    /** TASK_UNINTERRUPTIBLE, TASK_DEAD, TASK_NOLOAD (include/linux/sched.h). */
    static final int TASK_UNINTERRUPTIBLE = 0x2;
    static final int TASK_DEAD = 0x80;
    static final int TASK_NOLOAD = 0x400;

    private OpenTime() {
    }

    /** The program's is_io(): blocked uninterruptibly, and not a kernel thread idling. */
    static boolean isIo(int state) {
        return (state & TASK_UNINTERRUPTIBLE) != 0 && (state & TASK_NOLOAD) == 0;
    }

    /**
     * The metric a task's open time off the CPU goes to, by its prev_state at the switch-out: wait
     * when it was preempted (still runnable), null for a dead task.
     */
    static Metric metric(int state) {
        if (state == 0) {
            return Metric.WAIT_NS;
        }
        if ((state & TASK_DEAD) != 0) {
            return null;
        }
        return isIo(state) ? Metric.IO_NS : Metric.SLEEP_NS;
    }

    /**
     * Adds each open switch-out's time up to {@code at}, or as far as the reads vouch for it.
     * {@code atFirst}: the iterator was read after {@code at} and the counters after it (a task
     * whose switch-out there is newer than the iterator's has all its time to {@code at} in the
     * counters); false for the final table, whose iterator is read before the programs stop at
     * {@code at} and its counters after, so that such a task has its time up to the stop as its
     * state at the switch-out says.
     */
    static void add(Map<Integer, Off> open, Map<Integer, Running> running, Map<Integer, TaskNow> now, long at,
                    boolean atFirst, Sink sink) {
        for (var e : open.entrySet()) {
            int tid = e.getKey();
            Off o = e.getValue();
            Metric m = metric(o.state);
            if (m == null) {
                continue;
            }
            Running run = running.get(tid);
            TaskNow n = now.get(tid);
            if (n != null && n.outTs() != o.since) {
                if (atFirst) {
                    continue;
                }
                n = null;
            }
            if (n == null) {
                // no word from the iterator: as the state at the switch-out says
                long until = run != null ? run.since : at;
                sink.add(tid, m == Metric.WAIT_NS && run != null ? run.cpu : o.cpu, m, until - o.since);
                continue;
            }
            Span span = new Span(tid, o, m, sink);
            // what the iterator saw after at held at at, back to the switch-out; for the last
            // table, looked at before the stop, it is the best there is (no later table can
            // count any of it a second time)
            long until = at;
            if (run != null && run.since <= until) {
                // running since before: the slice cpu_state shows is the one the iterator saw
                if (m == Metric.WAIT_NS) {
                    span.wait(run.cpu, run.since);
                } else {
                    span.offThenWait(run.cpu, run.since - n.waited(), run.since);
                }
            } else if (n.queued()) {
                if (m == Metric.WAIT_NS) {
                    span.wait(n.cpu(), until);
                } else if (n.waitFrom() != 0) {
                    span.offThenWait(n.cpu(), n.waitFrom(), until);
                } else {
                    span.off(until); // (no clock offset yet: the wake-up is not known)
                }
            } else if (n.runnable() && n.runningFrom() != 0) {
                // running, where cpu_state does not say so by then: a switch-in that fired no
                // tracepoint (docs/kernel-notes.md; the program repairs it from the kernel's pick
                // time), or one after until
                long from = Math.clamp(n.runningFrom(), o.since, Math.max(o.since, n.seen()));
                if (m == Metric.WAIT_NS) {
                    span.wait(n.cpu(), Math.min(from, until));
                } else {
                    span.offThenWait(n.cpu(), from - n.waited(), Math.min(from, until));
                }
                sink.add(tid, n.cpu(), Metric.ONCPU_NS, until - from);
            } else {
                span.off(until); // off the CPU when seen (and when it woke since is not known)
            }
        }
    }

    /** One task's open time from its switch-out on, cut where the reads say. */
    private record Span(int tid, Off o, Metric m, Sink sink) {
        /** Off the CPU as at the switch-out, up to until. */
        void off(long until) {
            sink.add(tid, o.cpu, m, until - o.since);
        }

        /** Waiting, on cpu, from the switch-out up to until. */
        void wait(int cpu, long until) {
            sink.add(tid, cpu, Metric.WAIT_NS, until - o.since);
        }

        /** Off the CPU up to woke, then waiting on cpu up to until (both within the span). */
        void offThenWait(int cpu, long woke, long until) {
            long end = Math.max(o.since, until);
            long w = Math.clamp(woke, o.since, end);
            sink.add(tid, o.cpu, m, w - o.since);
            sink.add(tid, cpu, Metric.WAIT_NS, end - w);
        }
    }
}
