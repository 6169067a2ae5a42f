package org.proctap.cli;

/** Exit codes, as the JDK's jfr tool and shells use them. */
final class ExitCodes {
    static final int OK = 0;
    /** The environment or the data: not root, tracefs refused, no such process. */
    static final int ENVIRONMENT = 1;
    /** Bad command line. */
    static final int USAGE = 2;
    /**
     * stdout's reader went away (EPIPE): Main then ends by SIGPIPE, as grep and perf do, which a
     * shell reports as 128 + 13 and does not complain about.
     */
    static final int READER_GONE = 128 + 13;
    /** The command to run does not exist (as a shell says). */
    static final int COMMAND_NOT_FOUND = 127;

    private ExitCodes() {
    }
}
