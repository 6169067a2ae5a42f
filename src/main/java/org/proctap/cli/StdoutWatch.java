package org.proctap.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.proctap.sys.Libc;

/**
 * Notices that the reader of a stdout pipe went away ({@code | head} done, {@code | less} quit)
 * while proctap has nothing to write: the next table may be minutes off, and proctap would keep
 * its programs in the kernel until then. poll(2) reports POLLERR on the write end of a pipe
 * with no reader left and wakes its waiters when the last reader closes (fs/pipe.c, pipe_poll and
 * pipe_release), so one thread parked in poll() learns it at once, as coreutils' tail -f does.
 */
final class StdoutWatch {
    private final int fd;

    private StdoutWatch(int fd) {
        this.fd = fd;
    }

    /** A watch for fd 1 when it is a pipe; null for a file or a terminal (they have no reader). */
    static StdoutWatch forFd1() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("pipe:") ? new StdoutWatch(1) : null;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Calls {@code readerGone} once, from a daemon thread, when the pipe's last reader closed. */
    void start(Runnable readerGone) {
        Thread.ofPlatform().daemon().name("proctap-stdout-watch").start(() -> {
            int revents;
            do {
                revents = Libc.pollErrors(fd, -1); // 0: EINTR, look again
            } while (revents == 0);
            if ((revents & Libc.POLLERR) != 0) {
                readerGone.run();
            } // else POLLNVAL: fd 1 was closed under us; a write will say what is wrong
        });
    }
}
