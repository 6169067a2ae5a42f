package org.proctap.sys;

/**
 * A pidfd of one thread (pidfd_open(2) with PIDFD_THREAD, Linux 6.9): the handle by which user
 * space names a task to a task-storage BPF map (kernel/bpf/bpf_task_storage.c takes a pidfd as
 * the key of bpf_map_update_elem).
 */
public final class Pidfd implements AutoCloseable {
    /** PIDFD_THREAD, include/uapi/linux/pidfd.h: O_EXCL. */
    static final int PIDFD_THREAD = 0x80;

    private final int fd;
    private boolean closed;

    private Pidfd(int fd) {
        this.fd = fd;
    }

    /** Throws with ESRCH when the thread is gone. */
    public static Pidfd ofThread(int tid) throws ErrnoException {
        return new Pidfd(Libc.pidfdOpen(tid, PIDFD_THREAD));
    }

    public int fd() {
        return fd;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }
}
