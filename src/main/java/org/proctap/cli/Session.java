package org.proctap.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

import org.proctap.export.PerfettoExport;
import org.proctap.exporter.BuildInfo;
import org.proctap.stats.Cadence;
import org.proctap.exporter.Exporter;
import org.proctap.exporter.ExporterConfig;
import org.proctap.stats.IntervalMerger;
import org.proctap.metric.Metric;
import org.proctap.export.TimelineExport;
import org.proctap.model.NameMatcher;
import org.proctap.model.TargetSpec;
import org.proctap.output.JsonOutput;
import org.proctap.output.Output;
import org.proctap.output.OutputFailedException;
import org.proctap.output.Sink;
import org.proctap.output.TextOutput;
import org.proctap.output.WallClock;
import org.proctap.report.IntervalReport;
import org.proctap.report.ProcessSummary;
import org.proctap.report.Report;
import org.proctap.source.EventSource;
import org.proctap.source.IntervalListener;
import org.proctap.source.SourceListener;
import org.proctap.source.SourceException;
import org.proctap.source.Sources;
import org.proctap.source.tracefs.RecordedSource;
import org.proctap.source.tracefs.Recording;
import org.proctap.source.tracefs.RecordingInfo;
import org.proctap.source.tracefs.TracefsSource;
import org.proctap.sys.Errno;
import org.proctap.sys.ErrnoException;
import org.proctap.sys.HeapReserve;
import org.proctap.sys.Libc;
import org.proctap.sys.OwnPriority;
import org.proctap.sys.Signals;

import sun.misc.Signal;

/**
 * One run: start the command (if any), start the source, print what it reports, stop on
 * SIGINT/SIGTERM/SIGHUP, when the command ends or when the output cannot be written, print the
 * final table and "Bye..." (if the output still works), and leave nothing behind in the kernel
 * on any of those paths.
 */
final class Session {
    private final Options options;
    private final PrintStream err;
    private final Output output;
    private final StdoutWatch watch;
    /** The first failed write of the output; nothing is written after it. */
    private volatile OutputFailedException outputFailure;
    /** The source to close on every exit path, from its creation. */
    private volatile EventSource source;
    /**
     * The same source once start() has returned: only then may a signal stop it. A stop during
     * start() would find nothing to stop yet and be lost (a SIGTERM 0.2 s after launch used to
     * leave proctap running for good). A signal sets stopRequested and then reads running; run()
     * sets running and then reads stopRequested: with both volatile, at least one of them sees
     * the other, so the source is stopped at least once after start() (stop() is idempotent).
     */
    private volatile EventSource running;
    private volatile boolean stopRequested;
    /** stdout itself, for a report's --perfetto or --html bytes. */
    private final OutputStream rawOut;
    private PerfettoExport perfetto;
    private TimelineExport timeline;
    private volatile List<ProcessSummary> finalProcesses = List.of();
    /** record: where the watch goes; report: the recording read. */
    private volatile Recording recording;
    private RecordedSource recorded;
    /** Whom the start line names: the recording's target for report. */
    private TargetSpec shownTarget;

    Session(Options options, OutputStream out, PrintStream err, StdoutWatch watch) {
        this.options = options;
        this.rawOut = out;
        this.err = err;
        this.watch = watch;
        Sink sink = new Sink(out);
        this.output = options.json() ? new JsonOutput(sink, new WallClock(), options.histograms())
                : new TextOutput(sink, options.seedFormat(), options.columns(), options.histograms());
    }

    int run() {
        TargetSpec target = options.target();
        if (options.mode() == Options.Mode.REPORT) {
            recorded = new RecordedSource(options.file(), options.partial(), Set.copyOf(options.histograms()));
            source = recorded;
            RecordingInfo info = recorded.open();
            shownTarget = RecordedSource.target(info.target());
            switch (options.export()) {
                case PERFETTO -> {
                    perfetto = new PerfettoExport(new java.io.BufferedOutputStream(rawOut, 1 << 16), info);
                    recorded.tap(perfetto);
                }
                case HTML -> {
                    timeline = new TimelineExport(info, "proctap " + options.file().getFileName() + ": "
                            + shownTarget.describe());
                    recorded.tap(timeline);
                }
                case NONE -> {
                }
            }
        } else {
            shownTarget = target;
        }
        CommandLauncher launcher = null;
        boolean resumed = false;
        List<Integer> pinned = List.of();
        if (target.mode() == TargetSpec.Mode.COMMAND) {
            launcher = new CommandLauncher(target.command());
            launcher.check();
        }
        Thread cleanup = Thread.ofPlatform().unstarted(this::closeQuietly);
        Runtime.getRuntime().addShutdownHook(cleanup);
        installSignalHandlers();
        if (watch != null) {
            watch.start(() -> outputFailed(new OutputFailedException(new ErrnoException("stdout", Errno.EPIPE))));
        }
        try {
            OwnPriority priority = options.mode() == Options.Mode.REPORT ? null : ownPriority();
            if (launcher != null) {
                int pid = (int) launcher.startStopped();
                pinned = List.of(pid);
                if (priority != null) {
                    priority.restore(pid); // before it runs a single instruction of the command
                }
            }
            startExporter();
            EventSource src = openSource(pinned);
            source = src;
            if (exporter != null) {
                startExporting(src, pinned);
            } else {
                src.start(IntervalListener.aggregating(options.cumulative(), options.perProcess(), new Listener(pinned)),
                        options.mode() == Options.Mode.RECORD ? RECORD_READINGS_NS : options.intervalNs());
            }
            running = src;
            if (stopRequested) {
                src.stop(); // and a command that has not run yet never will: finally kills it
            } else if (launcher != null) {
                Process process = launcher.process();
                launcher.resume();
                resumed = true;
                process.onExit().thenRun(src::stop);
            }
            src.awaitEnd();
            if (src.failure() != null) {
                if (src.failure() instanceof OutOfMemoryError) {
                    throw UserError.outOfMemory();
                }
                if (recorded != null && src.failure() instanceof SourceException e) {
                    throw e; // (it says what and where in the file)
                }
                throw new SourceException((recorded != null ? "reading " + options.file() + " failed: " : "tracing failed: ")
                        + src.failure().getMessage(), src.failure());
            }
            if (recording != null) {
                err.printf("proctap: recorded %s: %d pages, %.1f MB%n", recording.file(), recording.pages(),
                        recording.bytes() / 1e6);
            } else if (perfetto != null) {
                perfetto.close();
            } else if (timeline != null) {
                timeline.write(rawOut, recordedStop, finalProcesses);
                rawOut.flush();
            } else {
                write(output::bye);
            }
            OutputFailedException failed = outputFailure;
            if (failed != null) {
                if (failed.readerGone()) {
                    return ExitCodes.READER_GONE;
                }
                throw new UserError(ExitCodes.ENVIRONMENT, "cannot write output: " + failed.reason());
            }
            int status = ExitCodes.OK;
            if (launcher != null && !launcher.process().isAlive()) {
                status = launcher.exitStatus();
            }
            return status;
        } catch (IOException e) {
            throw new UserError(ExitCodes.ENVIRONMENT, "could not start the command: " + e.getMessage());
        } catch (OutOfMemoryError e) {
            HeapReserve.releaseIf(e); // (before the clean-up below, which needs some heap)
            throw UserError.outOfMemory();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.ENVIRONMENT;
        } finally {
            if (launcher != null && !resumed && launcher.process() != null && launcher.process().isAlive()) {
                launcher.process().destroyForcibly(); // never leave it stopped
            }
            closeQuietly();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // already running the hooks
            }
        }
    }

    /**
     * proctap's threads at --nice's value (see {@link OwnPriority}). Refused, they stay where they
     * are: said in one line when --nice asked for it, as nice(1) says it, and not said for the
     * default, which a user without root cannot have.
     */
    private OwnPriority ownPriority() {
        try {
            return OwnPriority.apply(options.nice());
        } catch (ErrnoException e) {
            if (options.nice() != null) {
                err.println("proctap: cannot run at nice " + options.nice() + ": " + e.reason()
                        + "; running at the nice value it was started with");
            }
            return null;
        }
    }

    /**
     * The source --backend names (see {@link Sources#open}), saying in one line each what it
     * cleaned up and why auto fell back to tracefs.
     */
    private EventSource openSource(List<Integer> pinned) {
        if (recorded != null) {
            return recorded;
        }
        List<String> removed = Sources.removeStaleInstances();
        if (options.mode() == Options.Mode.RECORD) {
            if (!removed.isEmpty()) {
                err.println("proctap: removed tracefs instances left by a killed proctap: " + String.join(", ", removed));
            }
            recording = new Recording(options.file(), recordedTarget(options.target(), pinned));
            return new TracefsSource(options.target(), pinned, TracefsSource.Config.DEFAULT,
                    Set.copyOf(options.histograms()), recording);
        }
        if (!removed.isEmpty()) {
            err.println("proctap: removed tracefs instances left by a killed proctap: " + String.join(", ", removed));
        }
        return Sources.open(options.backend(), options.target(), pinned, sourceHistograms(),
                options.pollHz(), reason -> err.println("proctap: bpf unavailable (" + reason + "); using tracefs"),
                missing -> err.println("proctap: " + missing + ": polling /proc "
                        + new java.text.DecimalFormat("0.##").format(options.pollHz()) + " times a second instead"
                        + " (--backend proc): no per-CPU split, no interrupt figures, execs and exits approximate"));
    }

    /**
     * SIGINT, SIGTERM and SIGHUP stop proctap however it was started: each is first given back its
     * default disposition, since an inherited "ignored" would make the JVM skip its handler (a
     * script's background job ignores SIGINT, as SystemTap, bpftrace and perf do not).
     */
    private void installSignalHandlers() {
        for (int signo : new int[] {Signals.SIGINT, Signals.SIGTERM, Signals.SIGHUP}) {
            Libc.resetToDefault(signo);
            Signal.handle(new Signal(Signals.name(signo).substring(3)), signal -> requestStop());
        }
    }

    /** As a signal does: stop now, or as soon as the source has started. */
    private void requestStop() {
        stopRequested = true;
        EventSource s = running;
        if (s != null) {
            s.stop();
        }
    }

    /**
     * The output cannot be written (a closed pipe, a full disk): stop as on SIGINT, and write
     * nothing more. Called from whichever thread found out.
     */
    private void outputFailed(OutputFailedException e) {
        synchronized (this) {
            if (outputFailure == null) {
                outputFailure = e;
            }
        }
        requestStop();
    }

    /** Writes through the output unless an earlier write failed; a failure stops the session. */
    private void write(Runnable write) {
        if (outputFailure != null || options.quiet()) {
            return;
        }
        try {
            write.run();
        } catch (OutputFailedException e) {
            outputFailed(e);
        }
    }

    private synchronized void closeQuietly() {
        Exporter x = exporter;
        if (x != null) {
            x.close(); // (frees the port)
        }
        EventSource s = source;
        if (s != null) {
            try {
                s.close();
            } catch (RuntimeException e) {
                err.println("proctap: " + e.getMessage());
            }
        }
        Recording r = recording;
        if (r != null) {
            try {
                r.close(); // (a recording that did not finish is deleted)
            } catch (IOException e) {
                err.println("proctap: " + e.getMessage());
            }
        }
    }

    private volatile long recordedStop;

    /** --listen: serving from before the source starts (a port that cannot be bound stops here). */
    private volatile Exporter exporter;

    /** Binds --listen's address, saying once when it is reachable from other hosts. */
    private void startExporter() {
        if (!options.listening()) {
            return;
        }
        ExporterConfig c = options.exporter();
        try {
            exporter = Exporter.start(c, BuildInfo.VERSION, BuildInfo.COMMIT,
                    () -> source != null ? source.name() : "none");
        } catch (IOException e) {
            throw new UserError(ExitCodes.ENVIRONMENT, "cannot listen on " + c.listen() + ": " + e.getMessage());
        }
        if (c.listen().exposed()) {
            err.println("proctap: serving metrics on " + c.listen() + ", reachable from other hosts");
        }
    }

    /**
     * Starts the source for the exporter and the output together: snapshots at least every
     * second ({@link Cadence}), each to the exporter; the output's tables every -i, merged from
     * them ({@link IntervalMerger}); with --quiet no tables at all.
     */
    private void startExporting(EventSource src, List<Integer> pinned) {
        Cadence cadence = Cadence.of(options.intervalNs());
        SourceListener tables = options.quiet() ? null : IntervalListener.aggregating(options.cumulative(), false,
                new IntervalMerger(cadence.every(), options.perProcess(), new Listener(pinned)));
        src.start(exporter.tap(tables, message -> err.println("proctap: " + message)), cadence.snapshotNs());
    }

    /** --hist's histograms, and with --listen the waits' too (proctap_wait_duration_seconds). */
    private Set<Metric> sourceHistograms() {
        Set<Metric> h = new java.util.HashSet<>(options.histograms());
        if (options.listening()) {
            h.add(Metric.WAIT_HIST);
        }
        return Set.copyOf(h);
    }

    private boolean exporting() {
        return perfetto != null || timeline != null;
    }

    /** How often a recording reads run_delay for its tables' waits: every second. */
    static final long RECORD_READINGS_NS = 1_000_000_000L;

    /** The target as a recording keeps it. */
    private static RecordingInfo.Target recordedTarget(TargetSpec t, List<Integer> pinned) {
        String name = null;
        boolean exact = false;
        boolean regex = false;
        if (t.mode() == TargetSpec.Mode.NAME) {
            switch (t.matcher()) {
                case NameMatcher.Substring x -> name = x.needle();
                case NameMatcher.Exact x -> {
                    name = x.name();
                    exact = true;
                }
                case NameMatcher.Regex x -> {
                    name = x.pattern().pattern();
                    regex = true;
                }
            }
        }
        String mode = switch (t.mode()) {
            case NAME -> "name";
            case PIDS -> "pids";
            case COMMAND -> "command";
            case CGROUP -> "cgroup";
        };
        if (t.mode() == TargetSpec.Mode.CGROUP) {
            name = t.cgroup().path();
        }
        return new RecordingInfo.Target(mode, name, exact, regex, t.pids(), t.command(), t.follow(), pinned);
    }

    private final class Listener implements IntervalListener {
        private final List<Integer> pinned;

        Listener(List<Integer> pinned) {
            this.pinned = pinned;
        }

        @Override
        public void onStart(long ts) {
            if (exporting()) {
                return;
            }
            if (recording != null) {
                err.println("proctap: recording to " + recording.file() + " (tracefs; stop with Ctrl-C)");
                return;
            }
            TargetSpec t = shownTarget;
            String mode = switch (t.mode()) {
                case NAME -> "name";
                case PIDS -> "pid";
                case COMMAND -> "command";
                case CGROUP -> "cgroup";
            };
            List<Integer> pids = t.mode() == TargetSpec.Mode.PIDS ? t.pids() : pinned;
            Output.StartInfo info = new Output.StartInfo(ts, mode, t.describe(), pids, t.command(), source.name(),
                    options.intervalSeconds(), options.cumulative());
            write(() -> output.start(info));
        }

        @Override
        public void onReport(Report report) {
            if (recording == null && !exporting()) {
                write(() -> output.report(report));
            }
        }

        @Override
        public void onInterval(IntervalReport interval) {
            if (interval.fin()) {
                finalProcesses = interval.processes();
                recordedStop = interval.endNs();
            }
            if (recording == null && !exporting()) {
                write(() -> output.interval(interval));
            }
        }

        @Override
        public void onNotice(String message) {
            err.println("proctap: " + message);
        }
    }
}
