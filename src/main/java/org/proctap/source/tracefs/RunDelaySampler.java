package org.proctap.source.tracefs;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import org.proctap.model.Task;
import org.proctap.proc.ProcFs;
import org.proctap.proc.Schedstat;
import org.proctap.stats.RunDelays;

/**
 * Reads the kernel's run_delay of every watched task from /proc at each table's boundary, on the
 * clock, so that the event accounting can anchor the waits of the interval that ends there to
 * the kernel's own figure (WaitAnchor). The events of a boundary are processed later than it
 * passes; the reading is taken when it passes, by its own thread, and the table then ends where
 * the reading did. The final reading is taken where tracing stops.
 */
final class RunDelaySampler implements AutoCloseable {
    /** How long a snapshot waits for its reading before it makes do with the events' waits. */
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(1);

    private record Target(int tid, int tgid, long incarnation) {
    }

    private final long t0;
    private final long intervalNs;
    private final ConcurrentHashMap<Long, CompletableFuture<RunDelays>> readings = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile List<Target> targets = List.of();
    private volatile boolean closed;

    /** @param intervalNs the tables' interval, 0 for a final table only */
    RunDelaySampler(long t0, long intervalNs) {
        this.t0 = t0;
        this.intervalNs = intervalNs;
        this.thread = intervalNs > 0
                ? Thread.ofPlatform().name("proctap-run-delay").daemon().unstarted(this::run)
                : null;
    }

    /** The tasks to read from now on (called by the processing thread after each snapshot). */
    void publish(Collection<Task> watched) {
        targets = watched.stream().map(t -> new Target(t.tid, t.tgid(), t.incarnation)).toList();
    }

    void start() {
        if (thread != null) {
            thread.start();
        }
    }

    private void run() {
        for (long k = 1; !closed; k++) {
            long at = t0 + k * intervalNs;
            long left;
            while (!closed && (left = at - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
            }
            if (closed) {
                return;
            }
            CompletableFuture<RunDelays> f = future(at);
            try {
                f.complete(readNow());
            } catch (Throwable e) { // (out of memory: that table has no reading, and the thread ends)
                org.proctap.sys.HeapReserve.releaseIf(e);
                f.completeExceptionally(e);
                return;
            }
        }
    }

    /**
     * Tracing stopped at {@code ts}: the reading the final table anchors to. It reads every thread
     * of the watched processes and of their descendants, not only the tasks published: the
     * processing thread can be seconds behind the kernel under load, and a task whose birth it
     * has not processed yet would otherwise keep the waits its events measured, which miss the
     * run-queue clock's lag (WaitAnchor). A task read that way is matched by its tid to whoever
     * holds it once every event is in: tracing has stopped, so no later birth can have taken it.
     */
    void readFinal(long ts) {
        RunDelays r = readNow();
        java.util.Set<Integer> read = new java.util.HashSet<>();
        java.util.ArrayDeque<Integer> processes = new java.util.ArrayDeque<>();
        for (Target t : targets) {
            read.add(t.tid());
            processes.add(t.tgid());
        }
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        while (!processes.isEmpty()) {
            int tgid = processes.poll();
            if (!seen.add(tgid)) {
                continue;
            }
            for (int tid : ProcFs.threadsOf(tgid)) {
                if (read.add(tid)) {
                    long cut = System.nanoTime();
                    Schedstat s = Schedstat.read(tgid, tid);
                    if (s != null) {
                        r.put(tid, RunDelays.ANY_INCARNATION, s.runDelayNs(), cut);
                    }
                }
                processes.addAll(ProcFs.childrenOf(tgid, tid));
            }
        }
        r.end(System.nanoTime());
        future(ts).complete(r);
    }

    /** The reading taken at {@code ts}, or none if it does not come in time. */
    RunDelays at(long ts) {
        CompletableFuture<RunDelays> f = future(ts);
        try {
            return f.get(WAIT_NS, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return RunDelays.NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RunDelays.NONE;
        } finally {
            readings.remove(ts);
        }
    }

    private CompletableFuture<RunDelays> future(long ts) {
        return readings.computeIfAbsent(ts, k -> new CompletableFuture<>());
    }

    private RunDelays readNow() {
        RunDelays r = new RunDelays();
        for (Target t : targets) {
            long cut = System.nanoTime();
            Schedstat s = Schedstat.read(t.tgid(), t.tid());
            if (s != null) {
                r.put(t.tid(), t.incarnation(), s.runDelayNs(), cut);
            }
        }
        r.end(System.nanoTime());
        return r;
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }
}
