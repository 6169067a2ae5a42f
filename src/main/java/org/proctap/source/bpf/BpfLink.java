package org.proctap.source.bpf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.proctap.sys.Errno;
import org.proctap.sys.Libc;

/**
 * An attached program (struct bpf_link). Closing it detaches the program (bpf_link__destroy);
 * close is idempotent. The {@link BpfObject} that made the link owns it too and closes it on its
 * own close, so forgetting a link never leaves a program attached past the object.
 */
public final class BpfLink implements AutoCloseable {
    private final BpfObject owner;
    private final Libbpf lib;
    private final MemorySegment link;
    private final String program;
    private final String section;
    private final AtomicBoolean closed = new AtomicBoolean();

    BpfLink(BpfObject owner, Libbpf lib, MemorySegment link, String program, String section) {
        this.owner = owner;
        this.lib = lib;
        this.link = link;
        this.program = program;
        this.section = section;
    }

    /** The program's name (its C function name). */
    public String program() {
        return program;
    }

    /** Where it is attached: the program's SEC() name, e.g. "tracepoint/sched/sched_switch". */
    public String section() {
        return section;
    }

    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Runs the iterator program this link attached (an {@code iter/} section) once and returns all
     * it wrote: a new bpf_iter fd read to its end (kernel/bpf/bpf_iter.c), then closed.
     */
    public byte[] readIterator() {
        if (!isOpen()) {
            throw new IllegalStateException(this + " is closed");
        }
        int fd = lib.iterCreate(lib.linkFd(link));
        if (fd < 0) {
            throw new LibbpfException("bpf_iter_create", fd, "program '" + program + "'", List.of());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoState(arena);
            MemorySegment buffer = arena.allocate(1 << 16);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long n;
            while ((n = Libc.read(fd, buffer, errno)) > 0) {
                out.write(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new LibbpfException("read", -Errno.EIO, "iterator '" + program + "': " + e.getMessage(), List.of());
        } finally {
            Libc.close(fd);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            // Frees the link even when detaching reports an error; nothing useful to do with it.
            int unused = lib.linkDestroy(link);
            owner.forget(this);
        }
    }

    @Override
    public String toString() {
        return "BpfLink[" + program + " @ " + section + (isOpen() ? "" : ", closed") + "]";
    }
}
