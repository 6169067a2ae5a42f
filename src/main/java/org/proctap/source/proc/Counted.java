package org.proctap.source.proc;

import org.proctap.metric.Values;
import org.proctap.model.Task;

/**
 * One watched thread's running totals as the poller counts them: what it did while watched, from
 * the readings of its files. While counting, its total is {@code banked + (last - since)}: the
 * reading it was first counted from ({@code since}: zero for a thread born during the watch, so
 * that its whole life counts, else its first reading) up to the latest. A thread that stops being
 * watched (its process exec'd out of the name) banks what it did up to then.
 */
final class Counted {
    final Task task;
    final long startTime;
    private final long[] banked = Values.zero();
    private long[] since;
    long[] last;
    /** The reading {@link #last} came from: the live view hands the same one back while it has not moved. */
    private TaskReading reading;
    int lastCpu;
    boolean counting;
    /** Gone from /proc (or a zombie): {@link #last} is the last it will ever have. */
    boolean exited;

    Counted(Task task, long startTime, long[] since, TaskReading first) {
        this.task = task;
        this.startTime = startTime;
        this.since = since;
        this.last = first.values();
        this.reading = first;
        this.lastCpu = first.stat().processor();
        this.counting = true;
    }

    void update(TaskReading r) {
        if (r == reading) {
            return;
        }
        reading = r;
        last = r.values();
        lastCpu = r.stat().processor();
        task.comm = r.stat().comm();
    }

    /** Stops counting at the last reading: the thread is no longer watched. */
    void stop() {
        if (counting) {
            Values.add(banked, Values.minus(last, since));
            counting = false;
        }
    }

    /** Counts again from {@code reading}. */
    void resume(long[] reading) {
        if (!counting) {
            since = reading;
            last = reading;
            counting = true;
        }
    }

    /** Whether every figure of {@code later} is at least the last one's: the same task, read later. */
    boolean precedes(TaskReading later) {
        return later == reading || precedes(later.values());
    }

    boolean precedes(long[] later) {
        for (int i = 0; i < later.length; i++) {
            if (later[i] < last[i]) {
                return false;
            }
        }
        return true;
    }

    long[] total() {
        long[] t = banked.clone();
        if (counting) {
            Values.add(t, Values.minus(last, since));
        }
        return t;
    }
}
