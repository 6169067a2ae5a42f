package org.proctap.source.tracefs;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

import org.proctap.sys.Libc;

/**
 * Reads one CPU's {@code trace_pipe_raw} of one instance and hands raw sub-buffers to the
 * processing thread: nothing is decoded here, so the read path stays short. Reads are
 * non-blocking and drain until EAGAIN; between drains the reader sleeps in poll(), which the
 * kernel wakes when the buffer is {@code buffer_percent} full, or the timeout passes
 * (kernel/trace/trace.c, tracing_buffers_poll). A blocking read would instead wake for every
 * event.
 */
final class PageReader implements Runnable {
    /**
     * Events are stamped when reserved and become readable when committed a few hundred ns later;
     * a watermark stays this far behind the moment a drain started.
     */
    static final long COMMIT_SLACK_NS = 1_000_000;

    private final int stream;
    private final Path file;
    private final int subbufSize;
    private final BlockingQueue<Chunk> out;
    private final PagePool pool;
    private final int pollMs;
    private final Consumer<ByteBuffer> tap;
    private volatile boolean stopRequested;

    /**
     * @param tap sees every page on the reader thread before it is queued (the life-cycle instance
     *            uses it to add newly matching pids to the kernel filter without delay), or null
     */
    PageReader(int stream, Path file, int subbufSize, BlockingQueue<Chunk> out, PagePool pool, int pollMs,
               Consumer<ByteBuffer> tap) {
        this.stream = stream;
        this.file = file;
        this.subbufSize = subbufSize;
        this.out = out;
        this.pool = pool;
        this.pollMs = pollMs;
        this.tap = tap;
    }

    /** Drain what is left (call after tracing_on=0), close the stream and exit. */
    void requestStop() {
        stopRequested = true;
    }

    @Override
    public void run() {
        int fd = -1;
        try (Arena arena = Arena.ofConfined()) {
            fd = Libc.open(file.toString(), Libc.O_RDONLY | Libc.O_NONBLOCK);
            MemorySegment buffer = arena.allocate(subbufSize, 4096);
            MemorySegment errno = Libc.newErrnoState(arena);
            MemorySegment pollfd = Libc.newPollFd(arena);
            while (true) {
                boolean last = stopRequested;
                long mark = System.nanoTime();
                while (true) {
                    long n = Libc.read(fd, buffer, errno);
                    if (n <= 0) {
                        break; // -EAGAIN: empty; 0: nothing more
                    }
                    int length = (int) n;
                    byte[] page = pool.take(length);
                    MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, page, 0, length);
                    if (tap != null) {
                        tap.accept(ByteBuffer.wrap(page, 0, length).order(ByteOrder.nativeOrder()));
                    }
                    out.put(new Chunk.Page(stream, page, length));
                }
                if (last) {
                    out.put(new Chunk.Mark(stream, Long.MAX_VALUE, true));
                    return;
                }
                out.put(new Chunk.Mark(stream, mark - COMMIT_SLACK_NS, false));
                Libc.pollIn(pollfd, fd, pollMs, errno);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.offer(new Chunk.Failure(stream, e));
        } catch (IOException | RuntimeException | Error e) {
            out.offer(new Chunk.Failure(stream, e));
        } finally {
            Libc.close(fd);
        }
    }

    @Override
    public String toString() {
        return "PageReader[" + file + "]";
    }
}
