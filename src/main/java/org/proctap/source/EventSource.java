package org.proctap.source;

/**
 * Where scheduling facts come from: tracefs ring buffers decoded in Java, or BPF programs that
 * count in the kernel. Both report the same things with the same meaning.
 * <p>Life cycle: {@link #start} (returns once the kernel records), any number of snapshots,
 * {@link #stop} (from any thread: stops recording and makes the source deliver everything up to
 * that moment and a final snapshot), {@link #awaitEnd}, {@link #close} (releases every kernel
 * handle; also on paths where start failed half-way).
 */
public interface EventSource extends AutoCloseable {
    /** "tracefs" or "bpf". */
    String name();

    /**
     * Starts recording; snapshots follow every {@code intervalNs} of kernel time (0: only the
     * final one). Throws {@link SourceException} when the kernel refuses.
     */
    void start(SourceListener listener, long intervalNs);

    /** Requests the stop; idempotent, callable from a signal handler thread. */
    void stop();

    /** Waits until the final snapshot was delivered (or the source failed). */
    void awaitEnd() throws InterruptedException;

    /** What made the source end early, or null. */
    Throwable failure();

    @Override
    void close();
}
