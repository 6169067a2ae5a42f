package org.proctap.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

import org.proctap.model.InitialScan;
import org.proctap.source.SourceException;
import org.proctap.sys.Libc;

import picocli.CommandLine;

/**
 * Entry point. A usage error prints the message and the usage and exits 2; an environment or
 * data error prints one line and exits 1; only a real bug prints a stack trace.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        // Everything after the first "--" is the command to run, untouched by option parsing.
        int dashDash = Arrays.asList(args).indexOf("--");
        String[] ours = dashDash >= 0 ? Arrays.copyOfRange(args, 0, dashDash) : args;
        List<String> command = dashDash >= 0 ? List.of(Arrays.copyOfRange(args, dashDash + 1, args.length)) : null;

        ProctapCommand declared = new ProctapCommand();
        CommandLine cl = new CommandLine(declared);
        Options options;
        try {
            CommandLine.ParseResult parsed = cl.parseArgs(ours);
            if (parsed.isUsageHelpRequested()) {
                cl.usage(out);
                return ExitCodes.OK;
            }
            if (parsed.isVersionHelpRequested()) {
                cl.printVersionHelp(out);
                return ExitCodes.OK;
            }
            options = declared.toOptions(command);
        } catch (CommandLine.ParameterException e) {
            err.println("proctap: " + e.getMessage());
            cl.usage(err);
            return ExitCodes.USAGE;
        }
        try {
            if (Libc.geteuid() != 0) {
                throw new UserError(ExitCodes.ENVIRONMENT,
                        "must run as root: tracing the scheduler needs root (try: sudo ./proctap ...)");
            }
            return new Session(options, out, err).run();
        } catch (UserError e) {
            err.println("proctap: " + e.getMessage());
            return e.exitCode;
        } catch (SourceException | InitialScan.NoSuchProcessException e) {
            err.println("proctap: " + e.getMessage());
            return ExitCodes.ENVIRONMENT;
        }
    }
}
