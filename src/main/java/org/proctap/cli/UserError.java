package org.proctap.cli;

/** A problem the user can fix: one line on stderr, no stack trace, the given exit code. */
final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    UserError(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /**
     * The Java heap cannot hold what the watch keeps (a baseline per CPU a thread ran on: it grows
     * with the threads and CPUs watched): a limit of the machine's setting, not a bug.
     */
    static UserError outOfMemory() {
        long mb = Runtime.getRuntime().maxMemory() >> 20;
        return new UserError(ExitCodes.ENVIRONMENT, "out of memory: the Java heap (" + mb + " MB) cannot hold what "
                + "this watch keeps; give it more with PROCTAP_JVM_OPTS=-Xmx" + Math.max(128, 4 * mb) + "m");
    }
}
