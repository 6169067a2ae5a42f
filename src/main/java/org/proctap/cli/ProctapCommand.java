package org.proctap.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.PatternSyntaxException;

import org.proctap.metric.Metric;
import org.proctap.model.CgroupTarget;
import org.proctap.model.NameMatcher;
import org.proctap.model.TargetSpec;
import org.proctap.output.TextOutput;
import org.proctap.proc.CgroupFs;
import org.proctap.source.Backend;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The command line, declared for picocli; {@link #toOptions} validates it into {@link Options}. */
@Command(name = "proctap", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        usageHelpAutoWidth = true,
        customSynopsis = {
            "proctap [OPTIONS] NAME",
            "       proctap [OPTIONS] -p PID[,PID...]",
            "       proctap [OPTIONS] -- COMMAND [ARGS...]",
            "       proctap [OPTIONS] --cgroup PATH",
            "       proctap record [-o FILE] [OPTIONS] NAME | -p PID[,PID...] | -- COMMAND [ARGS...]",
            "       proctap report [OPTIONS] FILE",
            "       proctap watch [OPTIONS] NAME      (a process named record, report or watch)",
        },
        header = "Watch processes and show how the Linux kernel schedules them, CPU by CPU.",
        description = "%nproctap prints every exec, fork, "
                + "clone and exit of the watched processes as it happens, and every interval a table per CPU and "
                + "task of how often it ran, how long, and how long the timer interrupt took while it was the one "
                + "running. Stop with Ctrl-C (a final table, then Bye...). Needs root, except with --backend proc.%n%n"
                + "record writes what a tracefs watch reads to a trace.dat file (trace-cmd's format; "
                + "default proctap.dat) until Ctrl-C or the command's end; report prints from such a file "
                + "what the watch would have printed, with the same options (no root needed).%n%n"
                + "A process is watched when its name (the comm of its main thread, what ps shows) matches; all "
                + "its threads are watched with it. One that execs or renames into the name is picked up as it "
                + "does; one that execs or renames out of it stops being watched, unless -p, the command or "
                + "-f pinned it.%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done; with -- COMMAND, the command's own status instead (128+signal if a signal killed it)",
            "1:an environment or data problem: not root, BPF refused, no such process, cgroup or file",
            "2:a bad command line (the message, then the usage)",
            "127:COMMAND does not exist",
            "141:stdout's reader went away (proctap ends by SIGPIPE, as grep does)",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  sudo proctap stress                 processes whose name contains stress",
            "  sudo proctap -i 1 -- make -j2       run make, a table every second",
            "  sudo proctap -p 4242 --hist wait    a process, and a histogram of its waits",
            "  sudo proctap --cgroup system.slice/cron.service --listen 9464 --quiet -i 0",
            "                                      a Prometheus exporter for a service",
            "  sudo proctap --json -i 1 -- ./bench | jq -c 'select(.type == \"summary\")'",
            "  sudo proctap record -o b.dat -- make && proctap report --html b.dat > b.html",
            "  proctap --backend proc java         without root: poll /proc",
        })
final class ProctapCommand {
    CommandLine.Model.CommandSpec spec;

    /** Picocli hands over the model as it builds it: the sections its annotation cannot declare go in here. */
    @Spec
    void spec(CommandLine.Model.CommandSpec spec) {
        this.spec = spec;
        HelpSections.addTo(spec.usageMessage());
    }

    @Parameters(arity = "0..1", paramLabel = "NAME",
            description = "Watch processes whose name contains NAME (and all their threads).")
    String name;

    @Option(names = "--exact", description = "NAME must equal the process name.")
    boolean exact;

    @Option(names = "--regex", description = "NAME is a regular expression found in the process name.")
    boolean regex;

    @Option(names = {"-p", "--pid"}, split = ",", paramLabel = "PID", description = "Watch these processes instead.")
    List<Integer> pids = new ArrayList<>();

    @Option(names = {"-f", "--follow"}, description = "Also watch every descendant of a watched process.")
    boolean follow;

    @Option(names = {"-i", "--interval"}, paramLabel = "SECONDS", defaultValue = "5",
            description = "Print the table every SECONDS (default ${DEFAULT-VALUE}; 0 = only at the end).")
    double interval;

    @Option(names = "--cumulative", description = "Running totals instead of counts reset every interval.")
    boolean cumulative;

    @Option(names = "--seed-format", description = "Print only the original script's five columns.")
    boolean seedFormat;

    @Option(names = "--per-process", description = "One row per CPU and process, its threads summed (as pidstat "
            + "without -t): PID is the process, THREADS how many of its threads ran there.")
    boolean perProcess;

    @Option(names = "--columns", paramLabel = "LIST",
            description = "Text columns after comm, comma-separated, or 'all' (default: ${DEFAULT-VALUE}). "
                    + "Names: see Columns below.", defaultValue = "on-cpu,wait,sleep,io,preempt,vol,migr")
    String columns;

    @Option(names = "--hist", split = ",", paramLabel = "wait|slice",
            description = "After each table, a log2 histogram per process (as runqlat prints them) of the run-queue "
                    + "waits or the on-CPU slices; repeat or comma-separate for both.")
    List<String> hist = new ArrayList<>();

    @Option(names = "--json", description = "JSON Lines on stdout instead of text (fields: see JSON Lines below).")
    boolean json;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "record: the file to write (default proctap.dat; replaced if it exists).")
    java.nio.file.Path output;

    @Option(names = "--partial", description = "report: report what a damaged or cut file still holds.")
    boolean partial;

    @Option(names = "--perfetto", description = "report: a Perfetto trace on stdout (for ui.perfetto.dev) "
            + "instead of the tables.")
    boolean perfetto;

    @Option(names = "--html", description = "report: a timeline on stdout, one self-contained HTML page "
            + "(a lane per CPU, waits, the per-process table) instead of the tables; record: the same, "
            + "of the recording, once it is written.")
    boolean html;

    /** Set before {@link #toOptions}: which form of the command line this is. */
    Options.Mode mode = Options.Mode.WATCH;

    @Option(names = "--backend", paramLabel = "auto|bpf|tracefs|proc", defaultValue = "auto",
            description = "Event source: bpf (count in the kernel), tracefs (ring buffers decoded in Java), "
                    + "proc (poll /proc, no root needed), or auto (bpf when it loads, else tracefs; without root, "
                    + "proc). Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--cgroup", paramLabel = "PATH",
            description = "Watch every process in this cgroup v2 and its descendants, while it is there "
                    + "(a path relative to the cgroup root, or a directory under its mount).")
    String cgroup;

    @Option(names = "--listen", paramLabel = "[ADDR:]PORT",
            description = "Serve the figures to Prometheus on http://ADDR:PORT/metrics (ADDR default 127.0.0.1), "
                    + "fresh every second whatever -i is.")
    String listen;

    @Option(names = "--quiet", description = "With --listen: print no tables or lines (errors still go to stderr).")
    boolean quiet;

    @Option(names = "--metrics-by", paramLabel = "comm|pid|tid", defaultValue = "comm",
            description = "--listen's labels: process name and CPU (default), also pid, or also pid and tid.")
    String metricsBy;

    @Option(names = "--max-series", paramLabel = "N",
            description = "--listen: at most N label sets (default "
                    + org.proctap.exporter.ExporterConfig.DEFAULT_MAX_SERIES + "); more go to one series per CPU.")
    Integer maxSeries;

    @Option(names = "--nice", paramLabel = "N", description = "Run proctap's own threads at nice N while it "
            + "traces (default " + org.proctap.sys.OwnPriority.DEFAULT_NICE + ", -20 to 19), so that tasks "
            + "saturating the CPUs do not delay its tables; a command it starts runs at the nice value proctap "
            + "was started with. "
            + "Lowering nice needs root.")
    Integer nice;

    /** --listen, --metrics-by and --max-series; null without --listen. */
    private org.proctap.exporter.ExporterConfig exporter() {
        if (listen == null) {
            if (quiet || maxSeries != null || !metricsBy.equals("comm")) {
                throw usage("--quiet, --metrics-by and --max-series go with --listen");
            }
            return null;
        }
        if (mode != Options.Mode.WATCH) {
            throw usage("--listen is for a watch, not for record or report");
        }
        org.proctap.exporter.MetricsBy by = switch (metricsBy) {
            case "comm" -> org.proctap.exporter.MetricsBy.COMM;
            case "pid" -> org.proctap.exporter.MetricsBy.PID;
            case "tid" -> org.proctap.exporter.MetricsBy.TID;
            default -> throw usage("--metrics-by must be comm, pid or tid, not '" + metricsBy + "'");
        };
        int max = maxSeries != null ? maxSeries : org.proctap.exporter.ExporterConfig.DEFAULT_MAX_SERIES;
        if (max < 1) {
            throw usage("--max-series must be at least 1");
        }
        try {
            return new org.proctap.exporter.ExporterConfig(org.proctap.exporter.ListenAddress.parse(listen), by, max);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    @Option(names = "--poll-hz", paramLabel = "N", description = "--backend proc: polls of /proc a second "
            + "(default 10).")
    Double pollHz;

    /** @param command the words after "--" (null when there was no "--") */
    Options toOptions(List<String> command) {
        if (output != null && mode != Options.Mode.RECORD) {
            throw usage("-o FILE is for proctap record");
        }
        if ((partial || perfetto) && mode != Options.Mode.REPORT) {
            throw usage("--partial and --perfetto are for proctap report");
        }
        if (html && mode == Options.Mode.WATCH) {
            throw usage("--html is for proctap report and proctap record");
        }
        if (html && mode == Options.Mode.RECORD && (json || listen != null)) {
            throw usage("record --html writes the timeline on stdout: --json and --listen do not apply");
        }
        if (perfetto && (html || json)) {
            throw usage("give one of --perfetto, --html and --json");
        }
        if (html && json) {
            throw usage("give one of --perfetto, --html and --json");
        }
        if (mode == Options.Mode.REPORT) {
            if (name == null) {
                throw usage("say which recording to report: proctap report FILE");
            }
            if (!pids.isEmpty() || command != null || exact || regex || follow || !backend.equals("auto")
                    || cgroup != null || pollHz != null) {
                throw usage("report takes the target and the source from the recording: "
                        + "-p, --, --cgroup, --exact, --regex, --follow, --backend and --poll-hz do not apply");
            }
            if (nice != null) {
                throw usage("--nice is for a watch or a recording, not for report");
            }
            checkOutputOptions();
            return new Options(TargetSpec.byPids(List.of(), false), interval, cumulative, seedFormat, json,
                    Backend.TRACEFS, columns(columns), perProcess, histograms(hist), mode,
                    java.nio.file.Path.of(name), partial,
                    perfetto ? Options.Export.PERFETTO : html ? Options.Export.HTML : Options.Export.NONE,
                    exporter(), quiet, org.proctap.source.proc.ProcSource.DEFAULT_HZ, null);
        }
        if (mode == Options.Mode.RECORD && pollHz != null) {
            throw usage("record reads the tracefs ring buffers: --poll-hz does not apply");
        }
        if (mode == Options.Mode.RECORD && !backend.equals("auto") && !backend.equals("tracefs")) {
            throw usage("record reads the tracefs ring buffers: --backend " + backend + " does not apply");
        }
        int modes = (name != null ? 1 : 0) + (pids.isEmpty() ? 0 : 1) + (command != null ? 1 : 0)
                + (cgroup != null ? 1 : 0);
        if (modes == 0) {
            throw usage("say what to watch: NAME, -p PID, -- COMMAND or --cgroup PATH");
        }
        if (modes > 1) {
            throw usage("give only one of NAME, -p PID, -- COMMAND and --cgroup PATH");
        }
        if (cgroup != null && follow) {
            throw usage("--follow does not apply to --cgroup (a process is watched while it is in the cgroup)");
        }
        if (command != null && command.isEmpty()) {
            throw usage("no COMMAND after --");
        }
        if ((exact || regex) && name == null) {
            throw usage("--exact and --regex apply to NAME");
        }
        if (exact && regex) {
            throw usage("--exact and --regex cannot be combined");
        }
        if (name != null && name.isEmpty()) {
            throw usage("NAME is empty");
        }
        checkOutputOptions();
        for (int pid : pids) {
            if (pid <= 0) {
                throw usage("not a process id: " + pid);
            }
        }
        Backend b = switch (backend) {
            case "auto" -> Backend.AUTO;
            case "bpf" -> Backend.BPF;
            case "tracefs" -> Backend.TRACEFS;
            case "proc" -> Backend.PROC;
            default -> throw usage("--backend must be auto, bpf, tracefs or proc, not '" + backend + "'");
        };
        double hz = pollHz(b);
        TargetSpec target;
        if (name != null) {
            try {
                target = TargetSpec.byName(NameMatcher.of(name, exact, regex), follow);
            } catch (PatternSyntaxException e) {
                throw usage("bad --regex: " + e.getDescription());
            }
        } else if (!pids.isEmpty()) {
            target = TargetSpec.byPids(pids, follow);
        } else if (cgroup != null) {
            target = TargetSpec.byCgroup(cgroupTarget(cgroup));
        } else {
            target = TargetSpec.command(command);
        }
        if (mode == Options.Mode.RECORD) {
            b = Backend.TRACEFS;
        }
        return new Options(target, interval, cumulative, seedFormat, json, b, columns(columns), perProcess,
                histograms(hist), mode, mode == Options.Mode.RECORD
                        ? (output != null ? output : java.nio.file.Path.of("proctap.dat")) : null, partial,
                html ? Options.Export.HTML : Options.Export.NONE, exporter(), quiet, hz, nice());
    }

    /** --nice: a nice value, -20 to 19 (setpriority(2)). */
    private Integer nice() {
        if (nice != null && (nice < -20 || nice > 19)) {
            throw usage("--nice must be from -20 to 19, not " + nice);
        }
        return nice;
    }

    /** --poll-hz: for proc (and auto, which may fall back to it), 0.1 to 1000 polls a second. */
    private double pollHz(Backend b) {
        if (pollHz == null) {
            return org.proctap.source.proc.ProcSource.DEFAULT_HZ;
        }
        if (b != Backend.PROC && b != Backend.AUTO) {
            throw usage("--poll-hz is for --backend proc (or auto, without root)");
        }
        if (!(pollHz >= 0.1) || pollHz > 1000) {
            throw usage("--poll-hz must be a number of polls a second from 0.1 to 1000");
        }
        return pollHz;
    }

    private void checkOutputOptions() {
        if (!(interval >= 0) || interval > 1e6) {
            throw usage("--interval must be a number of seconds >= 0");
        }
        if (interval > 0 && interval < 0.01) {
            throw usage("--interval must be at least 0.01 s (or 0 for only the final table)");
        }
        if (perProcess && seedFormat) {
            throw usage("--per-process cannot be combined with --seed-format "
                    + "(the original's table has one row per task)");
        }
    }

    /**
     * --cgroup PATH resolved on this machine: a path that cannot be one is a usage error; one that
     * does not exist here, or a machine without cgroup v2, is {@link CgroupFs.BadCgroupException}
     * (exit 1, see Main).
     */
    private CgroupTarget cgroupTarget(String arg) {
        try {
            return CgroupFs.resolve(arg);
        } catch (CgroupFs.BadCgroupException e) {
            if (e.usage()) {
                throw usage(e.getMessage());
            }
            throw e;
        }
    }

    /** --columns: metric names as the text header shows them, as ps -o takes them. */
    private List<Metric> columns(String list) {
        List<Metric> shown = new ArrayList<>();
        for (String word : list.split(",")) {
            String w = word.strip();
            if (w.equals("all")) {
                for (Metric m : Metric.values()) {
                    if (isColumn(m) && !shown.contains(m)) {
                        shown.add(m);
                    }
                }
                continue;
            }
            Metric m = Arrays.stream(Metric.values()).filter(x -> isColumn(x) && x.column.equals(w))
                    .findFirst().orElseThrow(() -> usage("--columns: no column '" + w + "' (choose from "
                            + String.join(",", Arrays.stream(Metric.values()).filter(ProctapCommand::isColumn)
                            .map(x -> x.column).toList()) + ", or all)"));
            if (!shown.contains(m)) {
                shown.add(m);
            }
        }
        return List.copyOf(shown);
    }

    /** --hist: histogram names (wait, slice), in the order given, each once. */
    private List<Metric> histograms(List<String> names) {
        List<Metric> shown = new ArrayList<>();
        for (String word : names) {
            String w = word.strip();
            Metric m = Arrays.stream(Metric.values()).filter(x -> x.isHistogram() && x.column.equals(w)).findFirst()
                    .orElseThrow(() -> usage("--hist: no histogram '" + w + "' (choose from "
                            + String.join(",", Arrays.stream(Metric.values()).filter(Metric::isHistogram)
                            .map(x -> x.column).toList()) + ")"));
            if (!shown.contains(m)) {
                shown.add(m);
            }
        }
        return List.copyOf(shown);
    }

    /** A figure --columns can show: a text one (not a histogram, not JSON-only), not the seed's own. */
    private static boolean isColumn(Metric m) {
        return m.inText() && !TextOutput.SEED.contains(m);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
