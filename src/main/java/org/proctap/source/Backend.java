package org.proctap.source;

/** Which source a trace reads from ({@link Sources#open}). */
public enum Backend {
    /**
     * bpf when it loads and attaches, else tracefs, saying why (see {@link Sources#open}); without
     * the privilege for either, proc, saying what is missing.
     */
    AUTO,
    /** bpf or nothing: {@link BackendUnavailableException} says why it cannot run. */
    BPF,
    TRACEFS,
    /** /proc polled, for users without root: whole tasks, no CPU split, no interrupts. */
    PROC
}
