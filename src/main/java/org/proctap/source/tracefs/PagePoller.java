package org.proctap.source.tracefs;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

import org.proctap.sys.Libc;
import org.proctap.sys.PollFds;

/**
 * The one thread that reads every stream (each instance's {@code trace_pipe_raw} of each CPU):
 * one poll() over all their descriptors, a drain of each one the kernel says is readable, and a
 * drain of every stream not drained for {@code pollMs} so that each stream's watermark advances
 * that often, as the merger needs even from an idle CPU. A thread per stream would cost a thread
 * and ~10 wake-ups a second per CPU and instance (384 threads on 128 CPUs) for the same work.
 *
 * <p>A stream whose open or read fails gets a {@link Chunk.Failure} and is left out of the poll;
 * the others go on. After {@link #requestStop} (once tracing is off) every live stream is drained
 * one last time and ended.
 */
final class PagePoller implements Runnable {
    private final List<PageReader> readers;
    private final ChunkQueue out;
    private final int pollMs;
    private volatile boolean stopRequested;

    PagePoller(List<PageReader> readers, ChunkQueue out, int pollMs) {
        this.readers = List.copyOf(readers);
        this.out = out;
        this.pollMs = pollMs;
    }

    /** Drain what is left (call after tracing_on=0), end every stream, close them and exit. */
    void requestStop() {
        stopRequested = true;
    }

    @Override
    public void run() {
        int n = readers.size();
        boolean[] live = new boolean[n];
        try (Arena arena = Arena.ofConfined(); PollFds fds = new PollFds(n)) {
            int largest = readers.stream().mapToInt(PageReader::subbufSize).max().orElse(1);
            MemorySegment buffer = arena.allocate(largest, 4096);
            MemorySegment errno = Libc.newErrnoState(arena);
            ChunkQueue.Batch batch = out.new Batch();
            for (int i = 0; i < n; i++) {
                try {
                    fds.set(i, readers.get(i).open(), Libc.POLLIN);
                    live[i] = true;
                } catch (IOException | RuntimeException e) {
                    batch.add(new Chunk.Failure(readers.get(i).stream(), e));
                }
            }
            long pollNs = pollMs * 1_000_000L;
            // When each round that drained a stream began (all due at first). A stream that poll()
            // keeps waking is drained on those wake-ups, not by the clock as well; once one stream
            // is due, every stream past half its period goes too, so that streams woken at odd
            // times do not each bring a wake-up of their own: at most two a period from the clock.
            long[] drained = new long[n];
            Arrays.fill(drained, System.nanoTime() - pollNs);
            while (true) {
                boolean last = stopRequested;
                long round = System.nanoTime();
                boolean clock = false;
                for (int i = 0; i < n; i++) {
                    clock |= live[i] && round - drained[i] >= pollNs;
                }
                long age = clock ? pollNs / 2 : pollNs;
                for (int i = 0; i < n; i++) {
                    if (live[i] && (last || fds.revents(i) != 0 || round - drained[i] >= age)) {
                        try {
                            readers.get(i).drain(buffer, errno, last, batch);
                            drained[i] = round;
                        } catch (IOException | RuntimeException e) {
                            batch.add(new Chunk.Failure(readers.get(i).stream(), e));
                            live[i] = false;
                            fds.set(i, -1, (short) 0);
                        }
                    }
                }
                batch.flush(); // (one hand-over, one wake-up of the processing thread, per round)
                if (last) {
                    return;
                }
                long due = Long.MAX_VALUE;
                for (int i = 0; i < n; i++) {
                    if (live[i]) {
                        due = Math.min(due, drained[i] + pollNs);
                    }
                }
                // (rounded up: a timeout that ends just before a stream is due would wake twice)
                long now = System.nanoTime();
                int timeoutMs = due == Long.MAX_VALUE ? pollMs : (int) Math.max(0, (due - now + 999_999) / 1_000_000);
                fds.poll(timeoutMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failAll(live, e);
        } catch (IOException | RuntimeException | Error e) {
            org.proctap.sys.HeapReserve.releaseIf(e);
            failAll(live, e); // poll itself failed: every stream is dead
        } finally {
            for (PageReader r : readers) { // each, whatever the others do: an open one keeps its instance
                try {
                    r.close();
                } catch (Throwable e) {
                    // (nothing to add: the failure that brought us here is reported)
                }
            }
        }
    }

    /** Never blocks: the processing thread may be gone too. */
    private void failAll(boolean[] live, Throwable e) {
        for (int i = 0; i < live.length; i++) {
            if (live[i]) {
                out.add(new Chunk.Failure(readers.get(i).stream(), e));
            }
        }
    }

    @Override
    public String toString() {
        return "PagePoller[" + readers.size() + " streams]";
    }
}
