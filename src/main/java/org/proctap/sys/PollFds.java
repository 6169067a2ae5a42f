package org.proctap.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * An array of {@code struct pollfd} for one poll(2) over many descriptors, so that one thread can
 * wait on all of them. A negative fd is skipped by the kernel (its revents reads 0): that is how a
 * slot is retired without moving the others (fs/select.c, do_pollfd).
 */
public final class PollFds implements AutoCloseable {
    /** include/uapi/asm-generic/poll.h: {@code int fd; short events; short revents;}. */
    static final StructLayout POLLFD = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("fd"),
            ValueLayout.JAVA_SHORT.withName("events"),
            ValueLayout.JAVA_SHORT.withName("revents"));
    private static final long FD = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("fd"));
    private static final long EVENTS = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    private static final long REVENTS = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("revents"));

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment fds;
    private final MemorySegment errno;
    private final int count;

    /** {@code count} slots, each with fd -1 (ignored) until {@link #set}. */
    public PollFds(int count) {
        this.count = count;
        fds = arena.allocate(POLLFD, count);
        errno = Libc.newErrnoState(arena);
        for (int i = 0; i < count; i++) {
            set(i, -1, (short) 0);
        }
    }

    public int size() {
        return count;
    }

    public void set(int slot, int fd, short events) {
        long base = slot * POLLFD.byteSize();
        fds.set(ValueLayout.JAVA_INT, base + FD, fd);
        fds.set(ValueLayout.JAVA_SHORT, base + EVENTS, events);
        fds.set(ValueLayout.JAVA_SHORT, base + REVENTS, (short) 0);
    }

    /** What the last {@link #poll} reported for this slot (0 when it timed out or the slot is retired). */
    public int revents(int slot) {
        return fds.get(ValueLayout.JAVA_SHORT, slot * POLLFD.byteSize() + REVENTS) & 0xffff;
    }

    /**
     * poll(2) every slot; returns how many have revents, 0 on timeout or EINTR (a signal: then no
     * slot reads as ready, and the caller simply polls again).
     */
    public int poll(int timeoutMs) throws IOException {
        int n = Libc.poll(fds, count, timeoutMs, errno);
        if (n == -Errno.EINTR) {
            for (int i = 0; i < count; i++) {
                fds.set(ValueLayout.JAVA_SHORT, i * POLLFD.byteSize() + REVENTS, (short) 0);
            }
            return 0;
        }
        return n;
    }

    /** The bytes as the kernel sees them, for tests. */
    MemorySegment segment() {
        return fds;
    }

    @Override
    public void close() {
        arena.close();
    }
}
