package org.proctap.source.bpf;

/**
 * eBPF cannot be used in this process: libbpf.so.1 is missing or too old. A checked exception
 * on purpose: it is an environment fact that drives backend selection (fall back to tracefs)
 * and test skips, not a bug. The message is one line that says what to do, fit to print after
 * "proctap: ".
 */
public final class BpfUnavailableException extends Exception {
    public BpfUnavailableException(String message) {
        super(message);
    }

    public BpfUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
