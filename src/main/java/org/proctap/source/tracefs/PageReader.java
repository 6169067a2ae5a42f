package org.proctap.source.tracefs;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.proctap.sys.Libc;

/**
 * One CPU's {@code trace_pipe_raw} of one instance: the stream's descriptor and how it is drained.
 * Raw sub-buffers go to the processing thread undecoded, so the read path stays short. Reads are
 * non-blocking and drain until EAGAIN; between drains the {@link PagePoller} waits in one poll()
 * for every stream, which the kernel wakes when a buffer is {@code buffer_percent} full
 * (kernel/trace/trace.c, tracing_buffers_poll). A blocking read would instead wake for every event.
 */
final class PageReader implements AutoCloseable {
    /**
     * Events are stamped when reserved and become readable when committed a few hundred ns later;
     * a watermark stays this far behind the moment a drain started.
     */
    static final long COMMIT_SLACK_NS = 1_000_000;

    private final int stream;
    private final Path file;
    private final int subbufSize;
    private final PagePool pool;
    private final Consumer<ByteBuffer> tap;
    private int fd = -1;

    /**
     * @param tap sees every page on the reading thread before it is queued (the life-cycle instance
     *            uses it to add newly matching pids to the kernel filter without delay), or null
     */
    PageReader(int stream, Path file, int subbufSize, PagePool pool, Consumer<ByteBuffer> tap) {
        this.stream = stream;
        this.file = file;
        this.subbufSize = subbufSize;
        this.pool = pool;
        this.tap = tap;
    }

    int stream() {
        return stream;
    }

    int subbufSize() {
        return subbufSize;
    }

    /** Opens the stream non-blocking; returns the descriptor to poll. */
    int open() throws IOException {
        fd = Libc.open(file.toString(), Libc.O_RDONLY | Libc.O_NONBLOCK);
        return fd;
    }

    /**
     * Hands over every page readable now, then a watermark: every event stamped before this drain
     * started, less {@link #COMMIT_SLACK_NS}, has been handed over. {@code last} (after
     * tracing_on=0) ends the stream instead.
     *
     * @param buffer at least {@link #subbufSize} bytes; only read during the call
     */
    void drain(MemorySegment buffer, MemorySegment errno, boolean last, ChunkQueue.Batch out)
            throws IOException, InterruptedException {
        long mark = System.nanoTime();
        MemorySegment page = buffer.asSlice(0, subbufSize);
        while (true) {
            long n = Libc.read(fd, page, errno);
            if (n <= 0) {
                break; // -EAGAIN: empty; 0: nothing more
            }
            int length = (int) n;
            byte[] copy = pool.take(length);
            MemorySegment.copy(page, ValueLayout.JAVA_BYTE, 0, copy, 0, length);
            if (tap != null) {
                tap.accept(ByteBuffer.wrap(copy, 0, length).order(ByteOrder.nativeOrder()));
            }
            out.add(new Chunk.Page(stream, copy, length));
        }
        out.add(last ? new Chunk.Mark(stream, Long.MAX_VALUE, true) : new Chunk.Mark(stream, mark - COMMIT_SLACK_NS, false));
    }

    @Override
    public void close() {
        Libc.close(fd);
        fd = -1;
    }

    @Override
    public String toString() {
        return "PageReader[" + file + "]";
    }
}
