package org.proctap.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The handful of libc calls Java's APIs lack: non-blocking open, read that reports EAGAIN, poll
 * with a timeout (tracefs's {@code trace_pipe_raw} needs all three: a blocking read wakes on every
 * single event, while poll() waits for {@code buffer_percent} or the timeout,
 * kernel/trace/trace.c, tracing_buffers_poll); write that tells which errno failed it (EPIPE is
 * not ENOSPC); and signal dispositions and masks, which a JVM inherits and never resets.
 */
public final class Libc {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final short POLLIN = 0x1;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    private static final int SIG_UNBLOCK = 1;
    /** glibc's sigset_t: 1024 bits. */
    private static final long SIGSET_BYTES = 128;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    /** close(2) without errno: it allocates nothing, so it also closes when the heap is exhausted. */
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle KILL = downcall("kill",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle SIGNAL = downcall("signal",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle SIGPROCMASK = downcall("sigprocmask",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)),
                    ValueLayout.JAVA_INT));
    private static final MethodHandle PIDFD_OPEN = downcall("pidfd_open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle SETPRIORITY = downcall("setpriority",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    /** syscall(2), for getpriority: the raw call returns 20 - nice, never a -1 that is a nice value. */
    private static final MethodHandle SYSCALL_3 = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final long SYS_GETPRIORITY = 140;
    private static final int PRIO_PROCESS = 0;
    private static final MethodHandle GETEUID = LINKER.downcallHandle(
            LINKER.defaultLookup().find("geteuid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));

    private Libc() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO);
    }

    /** A per-thread scratch area for errno capture; callers keep one per thread. */
    public static MemorySegment newErrnoState(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    public static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** pidfd_open(2); the new descriptor, or throws with the errno (ESRCH: the task is gone). */
    public static int pidfdOpen(int pid, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = newErrnoState(arena);
            int fd = (int) PIDFD_OPEN.invokeExact(state, pid, flags);
            if (fd < 0) {
                throw new ErrnoException("pidfd_open " + pid, errno(state));
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * The nice value of thread {@code tid} (0: the caller). Linux keeps it per thread:
     * PRIO_PROCESS names one thread, whatever setpriority(2)'s POSIX wording says (sched(7), "The
     * nice value").
     */
    public static int niceOf(int tid) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = newErrnoState(arena);
            long rc = (long) SYSCALL_3.invokeExact(state, SYS_GETPRIORITY, PRIO_PROCESS, tid);
            if (rc < 0) {
                throw new ErrnoException("getpriority " + tid, errno(state));
            }
            return 20 - (int) rc; // kernel/sys.c returns 40..1 for nice -20..19, never a negative value
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** setpriority(PRIO_PROCESS, tid, nice): one thread's nice value; lowering it takes CAP_SYS_NICE. */
    public static void setNice(int tid, int nice) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = newErrnoState(arena);
            int rc = (int) SETPRIORITY.invokeExact(state, PRIO_PROCESS, tid, nice);
            if (rc != 0) {
                throw new ErrnoException("setpriority " + tid, errno(state));
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** kill(2); returns 0 or the errno. */
    public static int kill(long pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = newErrnoState(arena);
            int rc = (int) KILL.invokeExact(state, (int) pid, signal);
            return rc == 0 ? 0 : errno(state);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * write(2) all of {@code bytes[off, off+len)} to {@code fd}, retrying short writes and EINTR.
     * Throws {@link ErrnoException} with the errno of the write that failed.
     */
    public static void writeFully(int fd, byte[] bytes, int off, int len) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = newErrnoState(arena);
            MemorySegment buf = arena.allocate(Math.max(1, len));
            MemorySegment.copy(bytes, off, buf, ValueLayout.JAVA_BYTE, 0, len);
            long done = 0;
            while (done < len) {
                long n = (long) WRITE.invokeExact(state, fd, buf.asSlice(done), (long) len - done);
                if (n < 0) {
                    int e = errno(state);
                    if (e == Errno.EINTR) {
                        continue;
                    }
                    throw new ErrnoException("write fd " + fd, e);
                }
                done += n;
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** strerror(3): "No space left on device". */
    public static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Gives {@code signal} its default disposition and unblocks it in the calling thread. A
     * process inherits ignored signals and its signal mask through exec: a shell starts background
     * jobs with SIGINT ignored, nohup ignores SIGHUP, and HotSpot then never installs its handler
     * for an ignored one (JVM_RegisterSignal answers "ignored"). Call before installing a handler.
     */
    public static void resetToDefault(int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = newErrnoState(arena);
            MemorySegment unused = (MemorySegment) SIGNAL.invokeExact(state, signal, MemorySegment.NULL); // SIG_DFL
            MemorySegment set = arena.allocate(SIGSET_BYTES, 8);
            set.set(ValueLayout.JAVA_LONG, 0, 1L << (signal - 1));
            int rc = (int) SIGPROCMASK.invokeExact(state, SIG_UNBLOCK, set, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * poll(2) one descriptor for nothing but its error and hang-up state: returns the revents
     * (POLLERR for a pipe whose readers are all gone, fs/pipe.c pipe_poll), 0 on timeout or EINTR.
     */
    public static int pollErrors(int fd, int timeoutMs) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = newErrnoState(arena);
            MemorySegment pollfd = newPollFd(arena);
            pollfd.set(ValueLayout.JAVA_INT, 0, fd);
            int n = (int) POLL.invokeExact(state, pollfd, 1L, timeoutMs);
            return n > 0 ? pollfd.get(ValueLayout.JAVA_SHORT, 6) & 0xffff : 0;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** open(2); throws with the path and errno name on failure. */
    public static int open(String path, int flags) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = newErrnoState(arena);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags | O_CLOEXEC);
            if (fd < 0) {
                throw new IOException("open " + path + ": " + Errno.describe(errno(state)));
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * read(2) into {@code buffer}; returns the byte count, 0 at end of file, or {@code -EAGAIN} when
     * a non-blocking descriptor has nothing to read. Other errors throw.
     */
    public static long read(int fd, MemorySegment buffer, MemorySegment errnoState) throws IOException {
        while (true) {
            long n;
            try {
                n = (long) READ.invokeExact(errnoState, fd, buffer, buffer.byteSize());
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            if (n >= 0) {
                return n;
            }
            int e = errno(errnoState);
            if (e == Errno.EINTR) {
                continue;
            }
            if (e == Errno.EAGAIN) {
                return -Errno.EAGAIN;
            }
            throw new IOException("read fd " + fd + ": " + Errno.describe(e));
        }
    }

    /**
     * poll(2) {@code count} {@code struct pollfd}s (see {@link PollFds}); returns how many have
     * revents, 0 on timeout, or {@code -EINTR}. Other errors throw.
     */
    static int poll(MemorySegment fds, long count, int timeoutMs, MemorySegment errnoState) throws IOException {
        int n;
        try {
            n = (int) POLL.invokeExact(errnoState, fds, count, timeoutMs);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (n >= 0) {
            return n;
        }
        int e = errno(errnoState);
        if (e == Errno.EINTR) {
            return -Errno.EINTR;
        }
        throw new IOException("poll " + count + " fds: " + Errno.describe(e));
    }

    private static MemorySegment newPollFd(Arena arena) {
        return arena.allocate(8, 4);
    }

    public static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int unused = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
