package org.proctap.source.proc;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.proctap.model.InitialScan;
import org.proctap.model.TargetSpec;
import org.proctap.model.TaskRegistry;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.Polling;
import org.proctap.source.EventSource;
import org.proctap.source.SourceListener;

/**
 * The source for users without root: polls /proc/PID/task/TID/{schedstat,status,stat} of the
 * watched processes {@code hz} times a second. It sees each thread's own totals (on-CPU time,
 * run-queue wait, arrivals on a CPU, context switches: the same kernel counters the tests hold the
 * event sources to) but not where on which CPU they were earned, nor anything about interrupts;
 * execs, forks and exits are what changed between two polls ({@link ProcTracker}). A table is
 * taken at the first poll at or after its interval's end, and the final one at a poll made at the
 * stop, so it covers everything up to then. A thread that exits between two polls keeps what the
 * last poll read: the kernel keeps its figures only until it is reaped (a zombie's files still
 * read), and after that only its process's runtime at clock-tick resolution.
 */
public final class ProcSource implements EventSource {
    /** --poll-hz's default. */
    public static final double DEFAULT_HZ = 10;

    private final TargetSpec spec;
    private final List<Integer> pinned;
    private final double hz;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile Throwable failure;
    private volatile Thread thread;
    private LiveProc view;
    private ProcTracker tracker;
    private boolean closed;
    private int unreadableSaid;

    public ProcSource(TargetSpec spec, List<Integer> pinned, double hz) {
        if (!(hz > 0)) {
            throw new IllegalArgumentException("poll rate " + hz);
        }
        this.spec = spec;
        this.pinned = List.copyOf(pinned);
        this.hz = hz;
    }

    @Override
    public String name() {
        return "proc";
    }

    public double hz() {
        return hz;
    }

    @Override
    public void start(SourceListener listener, long intervalNs) {
        long self = ProcessHandle.current().pid();
        TaskRegistry registry = new TaskRegistry(spec);
        InitialScan.run(registry, pinned, self);
        view = new LiveProc();
        tracker = new ProcTracker(registry, self, listener::onReport);
        long t0 = poll();
        listener.onStart(t0);
        thread = Thread.ofPlatform().name("proctap-proc").unstarted(() -> run(listener, t0, intervalNs));
        thread.start();
    }

    /** One poll; returns its time: when it had read every watched thread. */
    private long poll() {
        view.beginPoll();
        tracker.poll(view, System.nanoTime());
        view.endPoll();
        return System.nanoTime();
    }

    private void run(SourceListener listener, long t0, long intervalNs) {
        long period = Math.round(1e9 / hz);
        long nextPoll = t0 + period;
        long nextTable = intervalNs > 0 ? t0 + intervalNs : Long.MAX_VALUE;
        try {
            while (!stopRequested) {
                long wake = Math.min(nextPoll, nextTable);
                long now = System.nanoTime();
                if (now < wake) {
                    LockSupport.parkNanos(this, wake - now);
                    continue; // (woken early by stop(), or spuriously: look again)
                }
                long ts = poll();
                sayUnreadable(listener);
                while (nextPoll <= now) {
                    nextPoll += period; // a late poll: the next one keeps the rate, not a burst
                }
                if (now >= nextTable) {
                    listener.onSnapshot(snapshot(ts, false));
                    while (nextTable <= now) {
                        nextTable += intervalNs;
                    }
                }
            }
            long ts = poll(); // the final table covers up to the stop
            sayUnreadable(listener);
            listener.onSnapshot(snapshot(ts, true));
        } catch (Throwable t) {
            failure = t;
        } finally {
            ended.countDown();
        }
    }

    private CounterSnapshot snapshot(long ts, boolean fin) {
        return new CounterSnapshot(ts, tracker.rows(), new long[0], new long[0], new long[0], fin,
                TaskReading.MEASURED, new Polling(hz, tracker.polls(), view.unreadable()));
    }

    /** Says once, and again only if more appear, how many processes /proc would not let proctap read. */
    private void sayUnreadable(SourceListener listener) {
        int n = view.unreadable();
        if (n > unreadableSaid && unreadableSaid == 0) {
            listener.onNotice("cannot read " + n + (n == 1 ? " process" : " processes")
                    + " in /proc (hidepid, or a security module): not watched, not counted");
        }
        unreadableSaid = Math.max(unreadableSaid, n);
    }

    @Override
    public void stop() {
        stopRequested = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void awaitEnd() throws InterruptedException {
        ended.await();
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (view != null) {
            view.close();
        }
    }
}
