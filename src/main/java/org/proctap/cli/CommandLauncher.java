package org.proctap.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.proctap.proc.ProcFs;
import org.proctap.sys.Libc;
import org.proctap.sys.Signals;

/**
 * Starts {@code -- COMMAND} so that not one of its instructions runs unwatched: a shell stops
 * itself with SIGSTOP, proctap adds its pid to the kernel filter, sends SIGCONT, and the shell
 * execs the command in the same process.
 */
final class CommandLauncher {
    private final List<String> command;
    private Process process;

    CommandLauncher(List<String> command) {
        this.command = List.copyOf(command);
    }

    /** Fails like a shell (exit 127) when the program does not exist or cannot run. */
    void check() {
        String program = command.getFirst();
        Path resolved = resolve(program);
        if (resolved == null) {
            throw new UserError(ExitCodes.COMMAND_NOT_FOUND, "command not found: " + program);
        }
        if (!Files.isExecutable(resolved) || Files.isDirectory(resolved)) {
            throw new UserError(ExitCodes.COMMAND_NOT_FOUND, "command is not executable: " + program);
        }
    }

    static Path resolve(String program) {
        if (program.contains("/")) {
            Path p = Path.of(program);
            return Files.exists(p) ? p : null;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Starts the command stopped; returns its pid once the kernel shows it stopped. */
    long startStopped() throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "kill -STOP $$ && exec \"$@\"", "proctap"));
        argv.addAll(command);
        process = new ProcessBuilder(argv).inheritIO().start();
        long pid = process.pid();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ProcFs.state((int) pid) != 'T') {
            if (!process.isAlive()) {
                throw new UserError(ExitCodes.ENVIRONMENT, "could not start " + command.getFirst()
                        + " (exit status " + process.exitValue() + ")");
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new UserError(ExitCodes.ENVIRONMENT, "could not start " + command.getFirst()
                        + ": the launcher shell never stopped");
            }
            Thread.sleep(1);
        }
        return pid;
    }

    /** Lets the stopped command run (exec) now that it is watched. */
    void resume() {
        Libc.kill(process.pid(), Signals.SIGCONT);
    }

    Process process() {
        return process;
    }

    /** The exit status as a shell reports it: the code, or 128 + signal. */
    int exitStatus() {
        return process.exitValue();
    }
}
