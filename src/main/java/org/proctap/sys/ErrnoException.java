package org.proctap.sys;

import java.io.IOException;

/** A system call failed with this errno; the message is "what: strerror (ENAME)". */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public ErrnoException(String what, int errno) {
        super(what + ": " + Libc.strerror(errno) + " (" + Errno.name(errno) + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /** strerror's words alone: "No space left on device". */
    public String reason() {
        return Libc.strerror(errno);
    }
}
