package org.proctap.source;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.proctap.metric.Metric;
import org.proctap.model.TargetSpec;
import org.proctap.source.bpf.BpfSource;
import org.proctap.source.proc.ProcSource;
import org.proctap.source.tracefs.TracefsSource;

/**
 * The source {@link Sources#open} chose, and why: delegates to bpf or tracefs, and for
 * {@link Backend#AUTO} replaces a bpf source whose attach the kernel refuses by tracefs within
 * {@link #start} (nothing was reported yet, so the listener sees only tracefs).
 */
public final class SelectedSource implements EventSource {
    private final Backend requested;
    private final TargetSpec target;
    private final List<Integer> pinned;
    private final Set<Metric> histograms;
    private final Consumer<String> onFallback;
    /** The source to close on every exit path; replaced at most once, by a fallback. */
    private volatile EventSource current;
    private volatile String fallbackReason;

    SelectedSource(Backend requested, TargetSpec target, List<Integer> pinned, Set<Metric> histograms,
                   Consumer<String> onFallback, EventSource first) {
        this.requested = requested;
        this.target = target;
        this.pinned = List.copyOf(pinned);
        this.histograms = Set.copyOf(histograms);
        this.onFallback = onFallback;
        this.current = first;
    }

    static TracefsSource tracefs(TargetSpec target, List<Integer> pinned, Set<Metric> histograms) {
        return new TracefsSource(target, pinned, TracefsSource.Config.DEFAULT, histograms);
    }

    /** What the caller asked for. */
    public Backend requested() {
        return requested;
    }

    /** {@link Backend#BPF}, {@link Backend#TRACEFS} or {@link Backend#PROC}: the source in use (final once start returned). */
    public Backend backend() {
        return current instanceof BpfSource ? Backend.BPF : current instanceof ProcSource ? Backend.PROC : Backend.TRACEFS;
    }

    /** Why auto gave up bpf for tracefs (the kernel's or libbpf's words), or null. */
    public String fallbackReason() {
        return fallbackReason;
    }

    void fellBack(String reason) {
        fallbackReason = reason;
        onFallback.accept(reason);
    }

    @Override
    public String name() {
        return current.name();
    }

    /**
     * Starts the chosen source; a bpf attach refused by the kernel is {@link BackendUnavailableException}
     * for {@link Backend#BPF}, and for auto a fallback to tracefs.
     */
    @Override
    public void start(SourceListener listener, long intervalNs) {
        EventSource s = current;
        try {
            s.start(listener, intervalNs);
        } catch (BpfSource.AttachException e) {
            if (requested != Backend.AUTO) {
                throw new BackendUnavailableException(e.getMessage(), e);
            }
            fellBack(e.getMessage());
            s.close();
            s = tracefs(target, pinned, histograms);
            current = s;
            s.start(listener, intervalNs);
        }
    }

    @Override
    public void stop() {
        current.stop();
    }

    @Override
    public void awaitEnd() throws InterruptedException {
        current.awaitEnd();
    }

    @Override
    public Throwable failure() {
        return current.failure();
    }

    @Override
    public void close() {
        current.close();
    }
}
