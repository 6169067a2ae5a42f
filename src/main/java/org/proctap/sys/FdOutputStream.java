package org.proctap.sys;

import java.io.OutputStream;

/**
 * An OutputStream straight onto a file descriptor (stdout is fd 1): each write is write(2), and a
 * failure throws {@link ErrnoException} with its errno, which FileOutputStream does not expose.
 */
public final class FdOutputStream extends OutputStream {
    private final int fd;

    public FdOutputStream(int fd) {
        this.fd = fd;
    }

    @Override
    public void write(int b) throws ErrnoException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws ErrnoException {
        Libc.writeFully(fd, b, off, len);
    }
}
