package org.proctap.it;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * proctap stops when its output goes away, as it does on SIGINT: within a second of the reader of
 * its stdout pipe closing (quietly, ended by SIGPIPE like grep, status 141), and with one line and
 * exit 1 when stdout is a full disk; nothing is left in the kernel either way. The workload keeps
 * switching all the while (a slice every millisecond, a table every 50 ms), so events arrive at
 * full rate while proctap notices.
 */
class OutputGoneIT extends ItSupport {
    static final Duration WITHIN = Duration.ofSeconds(1);

    enum Mode { NAME, COMMAND }

    static List<Object[]> backendsAndModes() {
        List<Object[]> all = new ArrayList<>();
        for (String b : Backends.ALL) {
            for (Mode m : Mode.values()) {
                all.add(new Object[] {b, m});
            }
        }
        return all;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndModes")
    @Timeout(120)
    void stopsWithinASecondOfTheReaderLeaving(String backend, Mode mode) throws Exception {
        try (Workload w = Workload.create()) {
            String[] busy = {"--main-ms", "60000", "--thread-ms", "60000", "--child-ms", "60000",
                "--sleep-ms", "1", "--sleep-every-ms", "1"};
            Workload.Run run = null;
            List<String> args = new ArrayList<>(List.of("--json", "-i", "0.05", "--backend", backend));
            if (mode == Mode.NAME) {
                run = w.start(busy);
                args.add(w.name());
            } else {
                args.add("--");
                args.addAll(w.command(busy));
            }
            // stderr to a file: in command mode the command shares it, and a pipe would stay open
            File errFile = File.createTempFile("proctap-it-stderr", ".txt");
            errFile.deleteOnExit();
            Process p = new ProcessBuilder(Proctap.javaCommand(Proctap.jar(), args)).redirectError(errFile).start();
            p.getOutputStream().close();
            Long commandPid = null;
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                int stats = 0;
                long deadline = System.nanoTime() + STARTUP.toNanos();
                String line;
                while (stats < 3 && (line = out.readLine()) != null) {
                    assertThat(System.nanoTime()).as("three stats lines arrive").isLessThan(deadline);
                    if (line.contains("\"type\":\"start\"") && mode == Mode.COMMAND) {
                        commandPid = Proctap.parse(line).path("target").path("pid").asLong();
                    }
                    if (line.contains("\"type\":\"stats\"")) {
                        stats++;
                    }
                }
                assertThat(stats).as("stats lines before the pipe was closed").isEqualTo(3);
                Set<Long> programs = KernelTruth.bpfProgramIdsHeldBy(p.pid());
                long closed = System.nanoTime();
                out.close(); // the reader goes away, as head(1) does after its lines
                boolean exited = p.waitFor(10, TimeUnit.SECONDS);
                double seconds = (System.nanoTime() - closed) / 1e9;
                System.out.printf("[measured] output-gone %s %s: proctap exited %.3f s after its reader closed "
                        + "the pipe%n", backend, mode, seconds);
                assertThat(exited).as("proctap exits after its reader closed the pipe").isTrue();
                assertThat(seconds).as("seconds from the close to proctap's exit").isLessThan(WITHIN.toNanos() / 1e9);
                assertThat(p.exitValue()).as("exit status: killed by SIGPIPE, as grep in a closed pipe")
                        .isEqualTo(128 + 13);
                String err = java.nio.file.Files.readString(errFile.toPath());
                assertThat(err.lines().filter(l -> !l.startsWith("proctap: mounted tracefs")
                        && !l.startsWith("ready pid=")).toList()).as("stderr: a closed pipe is no error").isEmpty();
                assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("tracefs instances left").isEmpty();
                if (backend.equals("bpf")) {
                    assertThat(programs).as("BPF programs proctap held while running").isNotEmpty();
                    assertThat(KernelTruth.awaitNoBpfPrograms(BpfLifecycleIT.PREFIX, prog -> programs.contains(prog.id()),
                            BpfLifecycleIT.UNLOAD)).as("its BPF programs, after it exited").isEmpty();
                }
                if (mode == Mode.COMMAND) {
                    assertThat(commandPid).as("the command's pid from the start line").isNotNull();
                    assertThat(ProcessHandle.of(commandPid).map(ProcessHandle::isAlive))
                            .as("the command, left running as on SIGINT (proctap forwards no signal)")
                            .contains(true);
                }
            } finally {
                p.destroyForcibly();
                if (commandPid != null) {
                    ProcessHandle.of(commandPid).ifPresent(h -> {
                        h.descendants().forEach(ProcessHandle::destroyForcibly);
                        h.destroyForcibly();
                    });
                }
                if (run != null) {
                    run.kill();
                }
                errFile.delete();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(120)
    void aFullDiskIsOneLineAndExitOne(String backend) throws Exception {
        try (Workload w = Workload.create()) {
            Workload.Run run = w.start("--main-ms", "60000", "--thread-ms", "0", "--child-ms", "0",
                    "--sleep-ms", "1", "--sleep-every-ms", "1");
            try {
                Process p = new ProcessBuilder(Proctap.javaCommand(Proctap.jar(),
                        List.of("-i", "0.05", "--backend", backend, w.name())))
                        .redirectOutput(new File("/dev/full")).start();
                p.getOutputStream().close();
                try {
                    assertThat(p.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)).as("proctap exits").isTrue();
                    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertThat(err.lines().filter(l -> !l.startsWith("proctap: mounted tracefs")).toList())
                            .as("stderr").containsExactly("proctap: cannot write output: No space left on device");
                    assertThat(p.exitValue()).as("exit status").isEqualTo(1);
                    assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("tracefs instances left").isEmpty();
                } finally {
                    p.destroyForcibly();
                }
            } finally {
                run.kill();
            }
        }
    }
}
