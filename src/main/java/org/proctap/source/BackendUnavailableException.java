package org.proctap.source;

/**
 * {@link Backend#BPF} (or, without the privilege, {@link Backend#TRACEFS}) was asked for by name and cannot run here (auto falls back instead). The
 * message is the one line for the user; {@link #reason()} is what libbpf or the kernel said.
 */
public final class BackendUnavailableException extends SourceException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    BackendUnavailableException(String reason, Throwable cause) {
        super("the bpf backend cannot run: " + reason, cause);
        this.reason = reason;
    }

    /** {@code backend} ("bpf", "tracefs") was asked by name and this process lacks the privilege for it. */
    BackendUnavailableException(String backend, String reason) {
        super("the " + backend + " backend cannot run: " + reason);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
