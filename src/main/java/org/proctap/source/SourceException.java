package org.proctap.source;

/**
 * The kernel or the environment refused something a source needs (tracefs missing, BPF not
 * allowed, ...). The message is one line for the user, starting lower-case, saying what to do.
 */
public class SourceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
