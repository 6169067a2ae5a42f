package org.proctap.source;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.proctap.metric.Metric;
import org.proctap.model.TargetSpec;
import org.proctap.source.bpf.BpfSource;
import org.proctap.source.bpf.BpfUnavailableException;
import org.proctap.source.bpf.LibbpfException;
import org.proctap.source.proc.ProcSource;
import org.proctap.source.tracefs.TraceInstance;
import org.proctap.source.tracefs.Tracefs;
import org.proctap.source.tracefs.TracefsSource;

/** Opens the source a {@link Backend} names: how a trace starts, with or without the CLI. */
public final class Sources {
    private Sources() {
    }

    /**
     * bpf when asked, or for auto when it loads; auto falls back to tracefs and tells
     * {@code onFallback} why. Loading happens here, before anything is attached, so a fallback
     * leaves nothing behind; an attach the kernel refuses falls back the same way in
     * {@link SelectedSource#start}.
     *
     * @param pinned     processes the caller started (a command), watched with all descendants
     * @param onFallback told the reason each time auto gives up bpf for tracefs, at that moment
     *                   (before tracefs starts, so in order with the source's notices)
     * @throws BackendUnavailableException for {@link Backend#BPF} when bpf cannot load
     */
    public static SelectedSource open(Backend backend, TargetSpec target, List<Integer> pinned,
                                      Consumer<String> onFallback) {
        return open(backend, target, pinned, Set.of(), onFallback);
    }

    /**
     * As {@link #open(Backend, TargetSpec, List, Consumer)}, filling {@code histograms} too
     * (--hist: {@link Metric#WAIT_HIST}, {@link Metric#SLICE_HIST}) where the source measures them.
     */
    public static SelectedSource open(Backend backend, TargetSpec target, List<Integer> pinned,
                                      Set<Metric> histograms, Consumer<String> onFallback) {
        if (backend == Backend.TRACEFS) {
            return new SelectedSource(backend, target, pinned, histograms, onFallback,
                    SelectedSource.tracefs(target, pinned, histograms));
        }
        BpfSource bpf = new BpfSource(target, pinned, histograms);
        String reason;
        Exception cause;
        try {
            bpf.load();
            return new SelectedSource(backend, target, pinned, histograms, onFallback, bpf);
        } catch (BpfUnavailableException e) {
            reason = e.getMessage();
            cause = e;
        } catch (LibbpfException e) {
            reason = e.headline();
            cause = e;
        }
        bpf.close();
        if (backend == Backend.BPF) {
            throw new BackendUnavailableException(reason, cause);
        }
        SelectedSource selected = new SelectedSource(backend, target, pinned, histograms, onFallback,
                SelectedSource.tracefs(target, pinned, histograms));
        selected.fellBack(reason);
        return selected;
    }

    /**
     * As {@link #open(Backend, TargetSpec, List, Set, Consumer)}, with {@link Backend#PROC} too: for
     * it, and for auto when this process has the privilege for neither bpf nor tracefs (then
     * {@code onNoPrivilege} is told what is missing, e.g. "not root (no CAP_BPF/CAP_PERFMON,
     * tracefs not writable)"), a /proc poller at {@code pollHz}. As root, auto is as before.
     *
     * @throws BackendUnavailableException for bpf or tracefs asked by name without the privilege
     */
    public static SelectedSource open(Backend backend, TargetSpec target, List<Integer> pinned, Set<Metric> histograms,
                                      double pollHz, Consumer<String> onFallback, Consumer<String> onNoPrivilege) {
        if (backend == Backend.PROC) {
            return new SelectedSource(backend, target, pinned, histograms, onFallback,
                    new ProcSource(target, pinned, pollHz));
        }
        Privileges privileges = Privileges.current();
        if (!privileges.root()) {
            if (backend == Backend.AUTO && !privileges.bpfAllowed() && !privileges.tracefsAllowed()) {
                onNoPrivilege.accept(privileges.missing());
                return new SelectedSource(backend, target, pinned, histograms, onFallback,
                        new ProcSource(target, pinned, pollHz));
            }
            check(backend, privileges);
        }
        return open(backend, target, pinned, histograms, onFallback);
    }

    /**
     * Throws {@link BackendUnavailableException} when {@code backend} is bpf or tracefs and this
     * process lacks the privilege for it: before anything is started.
     */
    public static void checkPrivileges(Backend backend) {
        if (backend == Backend.BPF || backend == Backend.TRACEFS) {
            Privileges privileges = Privileges.current();
            if (!privileges.root()) {
                check(backend, privileges);
            }
        }
    }

    private static void check(Backend backend, Privileges privileges) {
        String fix = "run as root (sudo ./proctap ...), or use --backend proc, which needs no root";
        if (backend == Backend.BPF && !privileges.bpfAllowed()) {
            throw new BackendUnavailableException("bpf", privileges.missing() + ": " + fix);
        }
        if (backend == Backend.TRACEFS && !privileges.tracefsAllowed()) {
            throw new BackendUnavailableException("tracefs", privileges.missing() + ": " + fix);
        }
    }

    /**
     * A proctap killed with SIGKILL could not remove its tracefs instances: whatever the backend,
     * the next start does (BPF programs and maps die with the killed process's descriptors).
     * Returns the names removed, for the caller to say.
     */
    public static List<String> removeStaleInstances() {
        if (!Tracefs.isMounted(Tracefs.DEFAULT)) {
            return List.of(); // nobody can have left an instance: tracefs was not even mounted
        }
        return TraceInstance.removeStale(Tracefs.locateOrMount());
    }
}
