package org.proctap.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.proctap.model.InitialScan;
import org.proctap.proc.CgroupFs;
import org.proctap.source.SourceException;
import org.proctap.source.Sources;
import org.proctap.sys.FdOutputStream;
import org.proctap.sys.HeapReserve;
import org.proctap.sys.Libc;
import org.proctap.sys.Signals;

import picocli.CommandLine;

/**
 * Entry point. A usage error prints the message and the usage and exits 2; an environment or
 * data error prints one line and exits 1; only a real bug prints a stack trace.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        HeapReserve.hold();
        // A thread that ran out of heap ends without a word: the session says it in one line
        // (UserError.outOfMemory); anything else that escapes a thread is a bug, with its trace.
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            HeapReserve.releaseIf(e);
            if (!(e instanceof OutOfMemoryError)) {
                System.err.print("Exception in thread \"" + t.getName() + "\" ");
                e.printStackTrace();
            }
        });
        int code = run(args, new FdOutputStream(1), System.err, StdoutWatch.forFd1());
        if (code == ExitCodes.READER_GONE) {
            Signals.dieOf(Signals.SIGPIPE); // as grep and perf end in a pipe whose reader left
        }
        System.exit(code);
    }

    /** As from a shell, with stdout on a file or a terminal. */
    static int run(String[] args, OutputStream out, PrintStream err) {
        return run(args, out, err, null);
    }

    /**
     * @param out   where tables and live lines go; a failed write stops proctap
     * @param watch tells when stdout's reader went away before proctap writes again, or null
     */
    static int run(String[] args, OutputStream out, PrintStream err, StdoutWatch watch) {
        // Figures are written for scripts as much as for people, as perf, bpftrace and trace-cmd
        // write them: "12.5", never "12,5" under the user's LANG. (And the packaged runtime then
        // needs no locale data beyond java.base's.)
        Locale.setDefault(Locale.ROOT);
        // Everything after the first "--" is the command to run, untouched by option parsing.
        int dashDash = Arrays.asList(args).indexOf("--");
        String[] ours = dashDash >= 0 ? Arrays.copyOfRange(args, 0, dashDash) : args;
        List<String> command = dashDash >= 0 ? List.of(Arrays.copyOfRange(args, dashDash + 1, args.length)) : null;

        // record, report and watch are words before everything else; "watch" watches a process
        // named record (proctap watch record), and NAME alone stays the original's command line.
        Options.Mode mode = Options.Mode.WATCH;
        if (ours.length > 0 && List.of("record", "report", "watch").contains(ours[0])) {
            mode = switch (ours[0]) {
                case "record" -> Options.Mode.RECORD;
                case "report" -> Options.Mode.REPORT;
                default -> Options.Mode.WATCH;
            };
            ours = Arrays.copyOfRange(ours, 1, ours.length);
        }
        ProctapCommand declared = new ProctapCommand();
        declared.mode = mode;
        CommandLine cl = new CommandLine(declared);
        Options options;
        try {
            CommandLine.ParseResult parsed = cl.parseArgs(ours);
            if (parsed.isUsageHelpRequested()) {
                PrintStream help = new PrintStream(out, true, StandardCharsets.UTF_8);
                cl.usage(help);
                return help.checkError() ? ExitCodes.ENVIRONMENT : ExitCodes.OK;
            }
            if (parsed.isVersionHelpRequested()) {
                PrintStream help = new PrintStream(out, true, StandardCharsets.UTF_8);
                cl.printVersionHelp(help);
                return help.checkError() ? ExitCodes.ENVIRONMENT : ExitCodes.OK;
            }
            options = declared.toOptions(command);
        } catch (CommandLine.ParameterException e) {
            err.println("proctap: " + e.getMessage());
            err.println("Try 'proctap --help' for the options.");
            return ExitCodes.USAGE;
        } catch (CgroupFs.BadCgroupException e) {
            err.println("proctap: " + e.getMessage()); // (no such cgroup here: the machine, not the words)
            return ExitCodes.ENVIRONMENT;
        }
        try {
            if (options.mode() == Options.Mode.RECORD && Libc.geteuid() != 0) {
                throw new UserError(ExitCodes.ENVIRONMENT,
                        "must run as root: tracing the scheduler needs root (try: sudo ./proctap ...)");
            }
            if (options.mode() == Options.Mode.WATCH) {
                Sources.checkPrivileges(options.backend()); // before a command is started
            }
            int status = new Session(options, out, err, watch).run();
            if (options.mode() == Options.Mode.RECORD && options.export() == Options.Export.HTML
                    && java.nio.file.Files.isRegularFile(options.file())) {
                int shown = new Session(options.timelineOfRecording(), out, err, null).run();
                return shown != ExitCodes.OK ? shown : status;
            }
            return status;
        } catch (UserError e) {
            err.println("proctap: " + e.getMessage());
            return e.exitCode;
        } catch (SourceException | InitialScan.NoSuchProcessException e) {
            err.println("proctap: " + e.getMessage());
            return ExitCodes.ENVIRONMENT;
        } catch (OutOfMemoryError e) {
            HeapReserve.releaseIf(e);
            UserError oom = UserError.outOfMemory(); // (the session cleaned up on its way out)
            err.println("proctap: " + oom.getMessage());
            return oom.exitCode;
        }
    }
}
