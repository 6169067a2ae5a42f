package org.proctap.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The test workload {@code src/test/c/ptwork.c}: compiled once per build into {@code target/it/},
 * then copied per test under a unique name ({@code ptw_} + 6 random lower-case letters, within
 * the kernel's 15-character comm) so that name mode matches only this test's processes. A hard
 * link {@code ptl_} + the same letters is its launcher (see {@link #startViaLauncher}): a name
 * that does not match. See ptwork.c for what it does and prints.
 */
public final class Workload implements AutoCloseable {
    static final Path SOURCE = basedir().resolve("src/test/c/ptwork.c");
    static final Path BUILD_DIR = basedir().resolve("target/it");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static Path compiled;

    private final String name;
    private final Path path;
    private final Path launcher;
    private final List<Run> runs = new ArrayList<>();

    private Workload(String name, Path path, Path launcher) {
        this.name = name;
        this.path = path;
        this.launcher = launcher;
    }

    /** A fresh copy of the compiled workload under a unique name. */
    public static Workload create() {
        Path binary = compile();
        for (int attempt = 0; ; attempt++) {
            String name = uniqueName();
            Path copy = BUILD_DIR.resolve("bin").resolve(name);
            Path launcher = copy.resolveSibling("ptl_" + name.substring(4));
            try {
                Files.createDirectories(copy.getParent());
                if (Files.exists(copy) || Files.exists(launcher) || commInUse(name)) {
                    continue;
                }
                Files.copy(binary, copy, StandardCopyOption.COPY_ATTRIBUTES);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.createLink(launcher, copy);
                return new Workload(name, copy.toAbsolutePath(), launcher.toAbsolutePath());
            } catch (IOException e) {
                if (attempt > 5) {
                    throw new UncheckedIOException("cannot copy the workload to " + copy, e);
                }
            }
        }
    }

    static String uniqueName() {
        StringBuilder sb = new StringBuilder("ptw_");
        for (int i = 0; i < 6; i++) {
            sb.append((char) ('a' + RANDOM.nextInt(26)));
        }
        return sb.toString();
    }

    private static boolean commInUse(String name) throws IOException {
        try (var dirs = Files.list(Path.of("/proc"))) {
            return dirs.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit))
                    .anyMatch(d -> {
                        try {
                            return Files.readString(d.resolve("comm")).strip().equals(name);
                        } catch (IOException | UncheckedIOException e) {
                            return false; // it exited meanwhile
                        }
                    });
        }
    }

    /** Compiles ptwork.c with gcc unless target/it/ptwork is newer than the source. */
    static synchronized Path compile() {
        if (compiled == null) {
            compiled = compile(SOURCE, "ptwork");
        }
        return compiled;
    }

    /** Compiles one of src/test/c/*.c into target/it/NAME with gcc, unless that is newer. */
    static Path compile(Path source, String name) {
        Path out = BUILD_DIR.resolve(name);
        try {
            if (!Files.isRegularFile(source)) {
                throw new IllegalStateException("workload source not found: " + source
                        + " (run the tests from the project directory)");
            }
            Files.createDirectories(BUILD_DIR);
            if (!Files.isExecutable(out)
                    || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(source)) < 0) {
                Path tmp = BUILD_DIR.resolve(name + ".tmp");
                Process gcc = new ProcessBuilder("gcc", "-O1", "-pthread", "-Wall", "-Wextra", "-o", tmp.toString(),
                        source.toString()).redirectErrorStream(true).start();
                gcc.getOutputStream().close();
                String log = new String(gcc.getInputStream().readAllBytes());
                if (!gcc.waitFor(120, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                    throw new IllegalStateException("gcc failed to compile " + source + ":\n" + log);
                }
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compile the workload (is gcc installed? apt-get install gcc)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return out;
    }

    /**
     * A copy of {@code binary} named {@code prefix} + a unique suffix (its comm, which a test may
     * watch by name), in target/it/bin; the caller deletes it.
     */
    static Path namedCopy(Path binary, String prefix) throws IOException {
        String name = prefix + uniqueName().substring(4);
        Path copy = BUILD_DIR.resolve("bin").resolve(name);
        Files.createDirectories(copy.getParent());
        Files.copy(binary, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        return copy;
    }

    static Path basedir() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    }

    /** The unique name, which is also the comm of every task of the workload. */
    public String name() {
        return name;
    }

    /** The absolute path of this copy: what the workload passes to execve. */
    public Path path() {
        return path;
    }

    /** The command line that runs this copy with the given ptwork options. */
    public List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(path.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The launcher: the same binary under a name that does not contain {@link #name()}. */
    public Path launcher() {
        return launcher;
    }

    /** Starts the workload; its stdout and stderr are collected. */
    public Run start(String... args) {
        Run run = new Run(OutputLines.start(command(args), null), null);
        runs.add(run);
        return run;
    }

    /**
     * Starts the launcher, which prints its totals and execs the workload ({@code --then-exec}),
     * and has the workload write its lines to {@code out} ({@code --out}) rather than to a pipe.
     * For name mode: the watched life of the main thread then starts exactly at the launch line,
     * and no report wakes a reader that could preempt the task after it measured itself.
     */
    public Run startViaLauncher(Path out, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--then-exec", path.toString(), "--out", out.toString()));
        Run run = new Run(OutputLines.start(cmd, null), out);
        runs.add(run);
        return run;
    }

    /** Kills any run still going and deletes this copy. */
    @Override
    public void close() {
        for (Run run : runs) {
            run.process.close();
        }
        try {
            Files.deleteIfExists(path);
            Files.deleteIfExists(launcher);
        } catch (IOException e) {
            // a copy left in target/ is harmless
        }
    }

    /** A running workload. */
    public static final class Run {
        private final OutputLines process;
        private final Path outFile;

        Run(OutputLines process, Path outFile) {
            this.process = process;
            this.outFile = outFile;
        }

        public long pid() {
            return process.pid();
        }

        /** Waits for the workload to exit and parses what it printed. */
        public Report await(Duration timeout) {
            int code = awaitExit(timeout);
            if (outFile == null) {
                return Report.parse(process.stdout(), code);
            }
            try {
                return Report.parse(Files.readAllLines(outFile), code);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the workload's report " + outFile
                        + " (stderr: " + process.stderr() + ")", e);
            }
        }

        /** Waits for the workload to exit; returns its exit status. */
        public int awaitExit(Duration timeout) {
            return process.waitFor(timeout, "the workload to exit");
        }

        public List<String> stdout() {
            return process.stdout();
        }

        public List<String> stderr() {
            return process.stderr();
        }

        /** Kills the workload and its descendants if they still run. */
        public void kill() {
            process.kill();
        }
    }

    /** One "task ..." line: what one task burned and what the kernel counted for it. */
    public record TaskLine(String role, int pid, int tid, int cpu, long cputimeNs, long schedstatNs, long pcount,
                           long startSchedstatNs, long startPcount, long startCputimeNs) {
    }

    /** "child pid=P status=C" (status set) or "child pid=P signal=S" (signal set). */
    public record ChildLine(int pid, Integer status, Integer signal) {
    }

    /** "final pid=P comm=C schedstat_ns=N pcount=N cputime_ns=N": the main thread after its exec of itself. */
    public record FinalLine(int pid, String comm, long schedstatNs, long pcount, long cputimeNs) {
    }

    /**
     * "launch pid=P schedstat_ns=N pcount=N cputime_ns=N": the launcher's totals just before it
     * execs the workload (the task's CPU clock survives its execs, like its schedstat).
     */
    public record LaunchLine(int pid, long schedstatNs, long pcount, long cputimeNs) {
    }

    /** Everything one run printed, checked for completeness; launch is null without the launcher. */
    public record Report(int readyPid, Map<String, TaskLine> tasks, ChildLine child, FinalLine fin, LaunchLine launch,
                         int exitCode, List<String> lines) {

        private static final Pattern KV = Pattern.compile("(\\w+)=(\\S+)");

        public TaskLine main() {
            return task("main");
        }

        public TaskLine thread() {
            return task("thread");
        }

        public TaskLine childTask() {
            return task("child");
        }

        public TaskLine task(String role) {
            TaskLine t = tasks.get(role);
            if (t == null) {
                throw new IllegalStateException("the workload printed no task line for " + role + ": " + lines);
            }
            return t;
        }

        /** The main thread's on-CPU ns from main() of the first stage to the end of the final stage. */
        public long mainSchedstatSinceStart() {
            return fin.schedstatNs() - main().startSchedstatNs();
        }

        /** The main thread's switch-ins from main() of the first stage to the end of the final stage. */
        public long mainPcountSinceStart() {
            return fin.pcount() - main().startPcount();
        }

        /**
         * The main thread's on-CPU ns from the exec of the workload by its launcher to the end of
         * the final stage: what a tool watching it from that exec should count.
         */
        public long mainSchedstatSinceLaunch() {
            return fin.schedstatNs() - launchLine().schedstatNs();
        }

        /** The main thread's switch-ins from the launcher's exec to the end of the final stage. */
        public long mainPcountSinceLaunch() {
            return fin.pcount() - launchLine().pcount();
        }

        /**
         * The main thread's own CPU clock over the same span as {@link #mainSchedstatSinceLaunch}:
         * from the launcher's reading to the final stage's.
         */
        public long mainCputimeSinceLaunch() {
            return fin.cputimeNs() - launchLine().cputimeNs();
        }

        private LaunchLine launchLine() {
            if (launch == null) {
                throw new IllegalStateException("no launch line: start the workload with startViaLauncher");
            }
            return launch;
        }

        /** Parses ptwork's lines; fails unless ready, three task lines, child and final are all there. */
        public static Report parse(List<String> lines, int exitCode) {
            Integer ready = null;
            Map<String, TaskLine> tasks = new LinkedHashMap<>();
            ChildLine child = null;
            FinalLine fin = null;
            LaunchLine launch = null;
            for (String line : lines) {
                Map<String, String> kv = new LinkedHashMap<>();
                Matcher m = KV.matcher(line);
                while (m.find()) {
                    kv.put(m.group(1), m.group(2));
                }
                if (line.startsWith("ready ")) {
                    ready = intOf(kv, "pid", line);
                } else if (line.startsWith("task ")) {
                    TaskLine t = new TaskLine(kv.get("role"), intOf(kv, "pid", line), intOf(kv, "tid", line),
                            intOf(kv, "cpu", line), longOf(kv, "cputime_ns", line), longOf(kv, "schedstat_ns", line),
                            longOf(kv, "pcount", line), longOf(kv, "start_schedstat_ns", line),
                            longOf(kv, "start_pcount", line), longOf(kv, "start_cputime_ns", line));
                    tasks.put(t.role(), t);
                } else if (line.startsWith("child ")) {
                    child = new ChildLine(intOf(kv, "pid", line),
                            kv.containsKey("status") ? intOf(kv, "status", line) : null,
                            kv.containsKey("signal") ? intOf(kv, "signal", line) : null);
                } else if (line.startsWith("launch ")) {
                    launch = new LaunchLine(intOf(kv, "pid", line), longOf(kv, "schedstat_ns", line),
                            longOf(kv, "pcount", line), longOf(kv, "cputime_ns", line));
                } else if (line.startsWith("final ")) {
                    fin = new FinalLine(intOf(kv, "pid", line), kv.get("comm"), longOf(kv, "schedstat_ns", line),
                            longOf(kv, "pcount", line), longOf(kv, "cputime_ns", line));
                }
            }
            List<String> missing = new ArrayList<>();
            if (ready == null) {
                missing.add("ready");
            }
            for (String role : List.of("main", "thread", "child")) {
                if (!tasks.containsKey(role)) {
                    missing.add("task role=" + role);
                }
            }
            if (child == null) {
                missing.add("child");
            }
            if (fin == null) {
                missing.add("final");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("the workload (exit " + exitCode + ") did not print " + missing
                        + "; it printed: " + lines);
            }
            return new Report(ready, Map.copyOf(tasks), child, fin, launch, exitCode, List.copyOf(lines));
        }

        private static int intOf(Map<String, String> kv, String key, String line) {
            return Math.toIntExact(longOf(kv, key, line));
        }

        private static long longOf(Map<String, String> kv, String key, String line) {
            String v = kv.get(key);
            if (v == null) {
                throw new IllegalStateException("no " + key + "= in workload line: " + line);
            }
            return Long.parseLong(v);
        }
    }
}
