package org.proctap.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process whose stdout and stderr are read line by line on two threads, so a test can
 * wait for a line while the process runs and never blocks it on a full pipe. Its stdin is closed
 * at once: it must not inherit the test JVM's (surefire talks to its forks over stdin).
 */
final class OutputLines implements AutoCloseable {
    private final List<String> command;
    private final Process process;
    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();
    private final Thread outReader;
    private final Thread errReader;
    private boolean outDone;

    private OutputLines(List<String> command, Process process) {
        this.command = List.copyOf(command);
        this.process = process;
        this.outReader = reader("stdout", process.getInputStream(), stdout, true);
        this.errReader = reader("stderr", process.getErrorStream(), stderr, false);
    }

    static OutputLines start(List<String> command, Path workDir) {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            return new OutputLines(command, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private Thread reader(String what, InputStream in, List<String> sink, boolean isStdout) {
        return Thread.ofPlatform().daemon().name("it-" + what + "-" + process.pid()).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (this) {
                        sink.add(line);
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process died; what was read is kept
            } finally {
                synchronized (this) {
                    if (isStdout) {
                        outDone = true;
                    }
                    notifyAll();
                }
            }
        });
    }

    long pid() {
        return process.pid();
    }

    List<String> command() {
        return command;
    }

    Process process() {
        return process;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    synchronized List<String> stdout() {
        return List.copyOf(stdout);
    }

    synchronized List<String> stderr() {
        return List.copyOf(stderr);
    }

    /**
     * Waits for a stdout line matching {@code predicate} (looking at every line since the start)
     * and returns it; fails with everything printed so far when the time is up or stdout ends.
     */
    String awaitLine(String description, Predicate<String> predicate, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (this) {
            while (true) {
                for (; seen < stdout.size(); seen++) {
                    if (predicate.test(stdout.get(seen))) {
                        return stdout.get(seen);
                    }
                }
                if (outDone) {
                    throw new AssertionError("stdout ended (exit " + exitText() + ") without " + description
                            + "\n" + dump());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for "
                            + description + "\n" + dump());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for " + description, e);
                }
            }
        }
    }

    /** The exit status; fails (leaving the process to {@link #close}) if it does not exit in time. */
    int waitFor(Duration timeout, String description) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for "
                        + description + "\n" + dump());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + description, e);
        }
        awaitStreams();
        return process.exitValue();
    }

    /** Waits (briefly) until both streams are read to their end. */
    void awaitStreams() {
        try {
            outReader.join(Duration.ofSeconds(10));
            errReader.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String exitText() {
        return process.isAlive() ? "none yet" : Integer.toString(process.exitValue());
    }

    /** The command, its exit status and everything it printed, for failure messages. */
    String dump() {
        StringBuilder sb = new StringBuilder();
        sb.append("---- ").append(String.join(" ", command)).append(" (pid ").append(process.pid())
                .append(", exit ").append(exitText()).append(")\n");
        List<String> out = stdout();
        List<String> err = stderr();
        int from = Math.max(0, out.size() - 200);
        sb.append("---- stdout (").append(out.size()).append(" lines").append(from > 0 ? ", last 200" : "")
                .append(")\n");
        out.subList(from, out.size()).forEach(l -> sb.append(l).append('\n'));
        sb.append("---- stderr (").append(err.size()).append(" lines)\n");
        err.forEach(l -> sb.append(l).append('\n'));
        sb.append("----");
        return sb.toString();
    }

    @Override
    public void close() {
        kill();
    }

    /** Kills the process if it still runs; returns whether it had to. */
    boolean kill() {
        boolean killed = false;
        if (process.isAlive()) {
            killed = true;
            // Descendants first (a command proctap started, a shell's children): they would keep
            // the pipes open, and they must not outlive the test.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        awaitStreams();
        return killed;
    }

    Optional<Integer> exitValue() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }
}
