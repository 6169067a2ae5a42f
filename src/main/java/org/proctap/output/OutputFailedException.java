package org.proctap.output;

import java.io.IOException;

import org.proctap.sys.Errno;
import org.proctap.sys.ErrnoException;

/** A write of proctap's output failed: its reader went away (EPIPE), the disk is full, ... */
public final class OutputFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OutputFailedException(IOException cause) {
        super(cause.getMessage(), cause);
    }

    /** The reader of a pipe went away: not an error, the way {@code grep ... | head} ends. */
    public boolean readerGone() {
        return getCause() instanceof ErrnoException e && e.errno() == Errno.EPIPE;
    }

    /** What went wrong in a few words: "No space left on device". */
    public String reason() {
        return getCause() instanceof ErrnoException e ? e.reason() : getCause().getMessage();
    }
}
