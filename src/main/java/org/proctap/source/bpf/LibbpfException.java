package org.proctap.source.bpf;

import java.util.List;
import org.proctap.sys.Errno;

/**
 * A libbpf call failed. {@link #headline()} is one line: the function, the errno and, when the
 * cause is known, what to do ("bpf_object__load: EPERM (1): run as root ..."). The full
 * {@link #getMessage()} adds the tail of what libbpf logged during the failing call (for a load,
 * the end of the verifier log), one line each, indented.
 *
 * <p>Unchecked: after {@link Libbpf#get()} succeeded, failures are either bugs in a BPF program
 * or kernel refusals the caller can only report.
 */
public final class LibbpfException extends RuntimeException {
    private final String function;
    private final int errno;
    private final String hint;
    private final List<String> logTail;

    public LibbpfException(String function, int errno, String hint, List<String> logTail) {
        super(compose(function, errno, hint, logTail));
        this.function = function;
        this.errno = Math.abs(errno);
        this.hint = hint;
        this.logTail = List.copyOf(logTail);
    }

    public LibbpfException(String function, int errno) {
        this(function, errno, null, List.of());
    }

    /** The libbpf function that failed, e.g. "bpf_object__load". */
    public String function() {
        return function;
    }

    /** The positive errno (libbpf returns -errno; both are accepted on construction). */
    public int errno() {
        return errno;
    }

    /** What to do about it, or null when there is nothing specific to say. */
    public String hint() {
        return hint;
    }

    /** The last WARN/INFO lines libbpf printed during the failing call (may be empty). */
    public List<String> logTail() {
        return logTail;
    }

    /** The first line of the message: "function: ENAME (n)" plus the hint. */
    public String headline() {
        return headline(function, errno, hint);
    }

    private static String headline(String function, int errno, String hint) {
        String head = function + ": " + Errno.describe(errno);
        return hint == null || hint.isEmpty() ? head : head + ": " + hint;
    }

    private static String compose(String function, int errno, String hint, List<String> tail) {
        StringBuilder sb = new StringBuilder(headline(function, errno, hint));
        if (!tail.isEmpty()) {
            sb.append("\nlibbpf log (last ").append(tail.size()).append(" lines):");
            for (String line : tail) {
                sb.append("\n  ").append(line);
            }
        }
        return sb.toString();
    }
}
