package org.proctap.tracedat;

import static org.proctap.tracedat.TraceDatException.hex;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Reads a trace.dat file, version 6 or 7 (uncompressed), as written by trace-cmd or
 * {@link TraceDatWriter}: the metadata at {@link #open}, then the sub-buffers of each CPU one at a
 * time, so memory stays bounded by the metadata (formats, comm table, options) and one page per
 * iterator however large the file is.
 *
 * <p>Every problem is a {@link TraceDatException} with a one-line message naming the offset. In
 * {@link Mode#PARTIAL} what the file does not hold any more (CPU data cut by a truncation, a
 * trailing part of a page, the v6 trace_clock text after the CPU table, malformed command lines)
 * is dropped and described in {@link TraceDat#problems()}; a file whose metadata is cut still fails,
 * since no page can be decoded without its header texts and formats.
 *
 * <p>Merging the CPUs in time order needs the records' timestamps, not only the pages': that is the
 * decoder's business (PageDecoder gives each record's time), so this class gives the per-CPU
 * sequences in file order, which is the order the kernel filled each CPU's buffer.
 */
public final class TraceDatReader implements AutoCloseable {
    /** Whether damage is an error or is cut away and reported. */
    public enum Mode {
        STRICT, PARTIAL
    }

    private final SeekableByteChannel channel;
    private final ChannelInput input;
    private final TraceDat file;

    private TraceDatReader(SeekableByteChannel channel, ChannelInput input, TraceDat file) {
        this.channel = channel;
        this.input = input;
        this.file = file;
    }

    /** Reads the metadata; the reader owns {@code channel} from now on and closes it. */
    public static TraceDatReader open(SeekableByteChannel channel) {
        return open(channel, Mode.STRICT);
    }

    /** Reads the metadata; the reader owns {@code channel} from now on and closes it. */
    public static TraceDatReader open(SeekableByteChannel channel, Mode mode) {
        try {
            ChannelInput input = new ChannelInput(channel);
            return new TraceDatReader(channel, input, MetadataParser.parse(input, mode == Mode.PARTIAL));
        } catch (RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public TraceDat file() {
        return file;
    }

    public TraceDatHeader header() {
        return file.header();
    }

    /** The number of CPU data ranges (the CPUs the file has data slots for). */
    public int cpuCount() {
        return file.cpus().size();
    }

    /**
     * The sub-buffers of the {@code index}-th CPU data range in file order, each a new heap buffer
     * of the page size in the file's byte order, position 0, ready for PageDecoder. The iterator
     * reads one page per {@code next()}; iterators of different CPUs may be used side by side
     * on one thread.
     */
    public SubBuffers subBuffers(int index) {
        CpuData cpu = file.cpus().get(index);
        int page = file.header().pageSize();
        return new SubBuffers() {
            private long at = cpu.offset();

            @Override
            public boolean hasNext() {
                return at + page <= cpu.end();
            }

            @Override
            public ByteBuffer next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("CPU " + cpu.cpu() + " has no more sub-buffers");
                }
                ByteBuffer b = ByteBuffer.allocate(page).order(file.header().order());
                input.readFully(b, at, "CPU " + cpu.cpu() + " sub-buffer");
                at += page;
                return b.flip();
            }

            @Override
            public void skip() {
                if (!hasNext()) {
                    throw new NoSuchElementException("CPU " + cpu.cpu() + " has no more sub-buffers");
                }
                at += page;
            }
        };
    }

    /**
     * One CPU's sub-buffers in file order. A recording interleaves several instances' pages in one
     * CPU's range, and each instance's reader passes over the others' with {@link #skip}, which
     * reads nothing.
     */
    public interface SubBuffers extends Iterator<ByteBuffer> {
        /** Passes over the next sub-buffer without reading it. */
        void skip();
    }

    /** The number of sub-buffers of the {@code index}-th CPU data range. */
    public long subBufferCount(int index) {
        return file.cpus().get(index).size() / file.header().pageSize();
    }

    /** Where the {@code n}-th sub-buffer of the {@code index}-th CPU starts, for error messages. */
    public String where(int index, long n) {
        CpuData cpu = file.cpus().get(index);
        return "CPU " + cpu.cpu() + " sub-buffer " + n + " at offset " + hex(cpu.offset() + n * file.header().pageSize());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
