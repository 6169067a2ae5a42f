package org.proctap.cli;

/** A problem the user can fix: one line on stderr, no stack trace, the given exit code. */
final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    UserError(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }
}
