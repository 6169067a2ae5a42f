package org.proctap.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * proctap as a subprocess: {@code java --enable-native-access=ALL-UNNAMED -jar $proctap.jar ARGS},
 * run by the JVM that runs the tests. Collects stdout and stderr, waits for lines or JSON
 * objects, sends signals. {@link #close} kills it if it still runs and prints its stderr (and,
 * if it had to kill it, its stdout), so a failed test always shows what proctap said; it also
 * removes the tracefs instances a killed proctap left behind.
 */
public final class Proctap implements AutoCloseable {
    public static final int SIGINT = 2;
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final OutputLines process;

    private Proctap(OutputLines process) {
        this.process = process;
    }

    /** The jar under test: the system property proctap.jar (failsafe sets it to target/proctap.jar). */
    public static Path jar() {
        String prop = System.getProperty("proctap.jar");
        Path jar = prop != null ? Path.of(prop) : Workload.basedir().resolve("target/proctap.jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("proctap jar not found: " + jar
                    + " (run the integration tests with 'mvn verify', which packages it first)");
        }
        return jar.toAbsolutePath();
    }

    /** The java binary running the tests (JDK 25), not whatever java is on the PATH. */
    public static String java() {
        return ProcessHandle.current().info().command()
                .orElseThrow(() -> new AssertionError("cannot tell which java runs the tests"));
    }

    static List<String> javaCommand(Path jar, List<String> args) {
        return javaCommand(jar, List.of(), args);
    }

    /** JVM options (-Dkey=value, -Xmx...) go before -jar, proctap's arguments after the jar. */
    static List<String> javaCommand(Path jar, List<String> jvmOptions, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(java(), "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(args);
        return cmd;
    }

    /** Starts proctap with these arguments. */
    public static Proctap start(String... args) {
        return new Proctap(OutputLines.start(javaCommand(jar(), List.of(args)), null));
    }

    /**
     * Starts proctap with options for its JVM, e.g. {@code -Dproctap.libbpf=PATH}. They are put on
     * the command line: JAVA_TOOL_OPTIONS would make the JVM print "Picked up ..." on stderr,
     * which the tests that count stderr lines would see.
     */
    public static Proctap startWithJvmOptions(List<String> jvmOptions, String... args) {
        return launch().jvmOptions(jvmOptions).start(args);
    }

    /** A launch to configure: JVM options, a command to run proctap under. */
    public static Launch launch() {
        return new Launch();
    }

    /** How to start one proctap; {@link #start} may be called once or more. */
    public static final class Launch {
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> wrapper = new ArrayList<>();

        private Launch() {
        }

        /** Adds options for proctap's JVM (before -jar). */
        public Launch jvmOptions(List<String> options) {
            jvmOptions.addAll(options);
            return this;
        }

        /** Adds one JVM option. */
        public Launch jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /**
         * Runs proctap under a command that execs its arguments without forking (setpriv, env,
         * nice), so that the process started is still proctap's JVM.
         */
        public Launch under(String... command) {
            wrapper.addAll(List.of(command));
            return this;
        }

        public Proctap start(String... args) {
            List<String> cmd = new ArrayList<>(wrapper);
            cmd.addAll(javaCommand(jar(), jvmOptions, List.of(args)));
            return new Proctap(OutputLines.start(cmd, null));
        }
    }

    /**
     * Starts proctap as user nobody (uid/gid 65534, no supplementary groups) through setpriv,
     * which execs without forking. The jar is copied to a fresh directory nobody can read, so a
     * failure is about root, not about the jar's file permissions.
     */
    public static Proctap startAsNobody(String... args) {
        Path jar = jar();
        try {
            Path dir = Files.createTempDirectory("proctap-it-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path copy = dir.resolve("proctap.jar");
            Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
            dir.toFile().deleteOnExit(); // deleted in reverse order: the jar, then its directory
            copy.toFile().deleteOnExit();
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534",
                    "--clear-groups", "--"));
            cmd.addAll(javaCommand(copy, List.of(args)));
            return new Proctap(OutputLines.start(cmd, dir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the jar for user nobody", e);
        }
    }

    /** For the harness's own tests: any command, handled like proctap. */
    static Proctap startCommand(List<String> command) {
        return new Proctap(OutputLines.start(command, null));
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public List<String> stdout() {
        return process.stdout();
    }

    public List<String> stderr() {
        return process.stderr();
    }

    /** Waits for a stdout line matching the predicate and returns it. */
    public String awaitLine(String description, Predicate<String> predicate, Duration timeout) {
        return process.awaitLine(description, predicate, timeout);
    }

    /** Waits for a JSON object on stdout matching the predicate and returns it. */
    public JsonNode awaitJson(String description, Predicate<JsonNode> predicate, Duration timeout) {
        String line = process.awaitLine(description, l -> {
            JsonNode n = tryParse(l);
            return n != null && predicate.test(n);
        }, timeout);
        return parse(line);
    }

    /** Waits for the "start" object: proctap is tracing. */
    public JsonNode awaitStart(Duration timeout) {
        return awaitJson("the \"start\" line (tracing is on)", n -> "start".equals(n.path("type").asText()),
                timeout);
    }

    /** Every stdout line as JSON; fails on the first line that is not a JSON object. */
    public List<JsonNode> json() {
        List<String> lines = stdout();
        List<JsonNode> nodes = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonNode n = tryParse(lines.get(i));
            if (n == null || !n.isObject()) {
                throw new AssertionError("stdout line " + (i + 1) + " is not a JSON object: " + lines.get(i)
                        + "\n" + process.dump());
            }
            nodes.add(n);
        }
        return nodes;
    }

    static JsonNode tryParse(String line) {
        if (!line.startsWith("{")) {
            return null;
        }
        try {
            return MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static JsonNode parse(String line) {
        try {
            return MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    /** Sends a signal with kill(1). */
    public void signal(int signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid()))
                    .redirectErrorStream(true).start();
            kill.getOutputStream().close();
            String out = new String(kill.getInputStream().readAllBytes()).strip();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " " + pid() + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits for proctap to exit and returns its exit status (128+N when killed by signal N). */
    public int waitFor(Duration timeout) {
        return process.waitFor(timeout, "proctap to exit");
    }

    /** Command, exit status, stdout and stderr, for messages. */
    public String dump() {
        return process.dump();
    }

    @Override
    public void close() {
        boolean killed = process.kill();
        if (killed) {
            System.out.println("[it] proctap " + pid() + " was still running at the end of the test: killed it");
            List<String> removed = KernelTruth.removeInstancesOf(pid());
            if (!removed.isEmpty()) {
                System.out.println("[it] removed the tracefs instances it left: " + removed);
            }
            System.out.println(process.dump());
        } else {
            List<String> err = process.stderr();
            System.out.println("[it] proctap " + pid() + " exit " + process.exitValue().orElse(-1) + ", stderr ("
                    + err.size() + " lines)" + (err.isEmpty() ? "" : ":"));
            err.forEach(l -> System.out.println("[it]   " + l));
        }
    }
}
