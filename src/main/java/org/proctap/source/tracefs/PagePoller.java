package org.proctap.source.tracefs;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import org.proctap.sys.Libc;
import org.proctap.sys.PollFds;

/**
 * The one thread that reads every stream (each instance's {@code trace_pipe_raw} of each CPU):
 * one poll() over all their descriptors, a drain of each one the kernel says is readable, and a
 * drain of every stream at least every {@code pollMs} so that each stream's watermark advances
 * that often, as the merger needs even from an idle CPU. A thread per stream would cost a thread
 * and ~10 wake-ups a second per CPU and instance (384 threads on 128 CPUs) for the same work.
 *
 * <p>A stream whose open or read fails gets a {@link Chunk.Failure} and is left out of the poll;
 * the others go on. After {@link #requestStop} (once tracing is off) every live stream is drained
 * one last time and ended.
 */
final class PagePoller implements Runnable {
    private final List<PageReader> readers;
    private final int pollMs;
    private volatile boolean stopRequested;

    PagePoller(List<PageReader> readers, int pollMs) {
        this.readers = List.copyOf(readers);
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
            for (int i = 0; i < n; i++) {
                try {
                    fds.set(i, readers.get(i).open(), Libc.POLLIN);
                    live[i] = true;
                } catch (IOException | RuntimeException e) {
                    readers.get(i).fail(e);
                }
            }
            long pollNs = pollMs * 1_000_000L;
            long everyoneDue = System.nanoTime(); // (a first drain of all at once: the first marks)
            while (true) {
                boolean last = stopRequested;
                boolean everyone = last || System.nanoTime() - everyoneDue >= 0;
                for (int i = 0; i < n; i++) {
                    if (live[i] && (everyone || fds.revents(i) != 0)) {
                        try {
                            readers.get(i).drain(buffer, errno, last);
                        } catch (IOException | RuntimeException e) {
                            readers.get(i).fail(e);
                            live[i] = false;
                            fds.set(i, -1, (short) 0);
                        }
                    }
                }
                if (last) {
                    return;
                }
                long now = System.nanoTime();
                if (everyone) {
                    everyoneDue = Math.max(everyoneDue + pollNs, now);
                }
                // (rounded up: a timeout that ends just before the deadline would wake twice)
                int timeoutMs = (int) Math.max(0, (everyoneDue - now + 999_999) / 1_000_000);
                fds.poll(timeoutMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failAll(live, e);
        } catch (IOException | RuntimeException | Error e) {
            failAll(live, e); // poll itself failed: every stream is dead
        } finally {
            readers.forEach(PageReader::close);
        }
    }

    private void failAll(boolean[] live, Throwable e) {
        for (int i = 0; i < live.length; i++) {
            if (live[i]) {
                readers.get(i).fail(e);
            }
        }
    }

    @Override
    public String toString() {
        return "PagePoller[" + readers.size() + " streams]";
    }
}
