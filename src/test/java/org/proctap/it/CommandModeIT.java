package org.proctap.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code proctap -- COMMAND ARGS}: proctap starts the command, watches it and its descendants,
 * stops when it ends and exits with its status (128+N if signal N killed it). The workload
 * writes its report to a file (--out) so that proctap's stdout holds only proctap's output.
 */
class CommandModeIT extends ItSupport {
    static final String[] BURN = {"--main-ms", "200", "--thread-ms", "200", "--child-ms", "200", "--sleep-ms", "2"};

    @TempDir
    Path tmp;

    private List<String> workloadArgs(Workload w, Path out) {
        List<String> cmd = new ArrayList<>(w.command(BURN));
        cmd.add("--out");
        cmd.add(out.toString());
        return cmd;
    }

    private static String[] args(List<String> options, List<String> command) {
        List<String> all = new ArrayList<>(options);
        all.add("--");
        all.addAll(command);
        return all.toArray(String[]::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(120)
    void jsonReportsTheCommandAndExitsWithItsStatus(String backend) throws IOException {
        Path out = tmp.resolve("workload.out");
        try (Workload w = Workload.create()) {
            List<String> command = workloadArgs(w, out);
            try (Proctap p = Proctap.start(args(List.of("--json", "-i", "0", "--backend", backend), command))) {
                assertThat(p.waitFor(WORKLOAD)).as("proctap's exit status: the command's (7)").isEqualTo(7);
                Workload.Report r = Workload.Report.parse(Files.readAllLines(out), 7);
                int mainPid = r.readyPid();

                List<JsonNode> all = p.json();
                assertJsonLinesWellFormed(all);
                JsonNode start = all.getFirst();
                assertThat(start.path("target").path("mode").asText()).as("start.target.mode").isEqualTo("command");
                List<String> reported = new ArrayList<>();
                start.path("target").path("command").forEach(n -> reported.add(n.asText()));
                assertThat(reported).as("start.target.command").isEqualTo(command);
                assertThat(start.path("backend").asText()).as("start.backend").isEqualTo(backend);

                assertThat(ofType(all, "exec")).as("exec lines")
                        .anySatisfy(e -> {
                            assertThat(e.path("pid").asInt()).isEqualTo(mainPid);
                            assertThat(e.path("filename").asText()).isEqualTo(w.path().toString());
                            assertThat(e.path("comm").asText()).isEqualTo(w.name());
                        });
                JsonNode thread = single(all, "fork", "the thread",
                        n -> n.path("child_pid").asInt() == r.thread().tid());
                assertThat(thread.path("pid").asInt()).isEqualTo(mainPid);
                assertThat(thread.path("thread").asBoolean()).isTrue();
                assertThat(thread.path("kind").asText()).isEqualTo("clone");
                JsonNode child = single(all, "fork", "the child", n -> n.path("child_pid").asInt() == r.child().pid());
                assertThat(child.path("pid").asInt()).isEqualTo(mainPid);
                assertThat(child.path("thread").asBoolean()).isFalse();
                assertThat(child.path("kind").asText()).isEqualTo("fork");
                JsonNode childExit = single(all, "exit", "the child", n -> n.path("tgid").asInt() == r.child().pid());
                assertThat(intOrNull(childExit, "exit_code")).as("child exit_code").isEqualTo(3);
                JsonNode mainExit = single(all, "exit", "the command", n -> n.path("tgid").asInt() == mainPid);
                assertThat(intOrNull(mainExit, "exit_code")).as("command exit_code").isEqualTo(7);

                finalInterval(all);
                List<Integer> tids = finalRows(all).stream().map(n -> n.path("pid").asInt()).toList();
                assertThat(tids).as("tasks in the final table")
                        .contains(mainPid, r.thread().tid(), r.child().pid());
                assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("tracefs instances left").isEmpty();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(120)
    void textEndsWithByeAndExitsWithTheCommandsStatus(String backend) throws IOException {
        Path out = tmp.resolve("workload.out");
        try (Workload w = Workload.create()) {
            try (Proctap p = Proctap.start(args(List.of("-i", "0", "--backend", backend), workloadArgs(w, out)))) {
                assertThat(p.waitFor(WORKLOAD)).as("proctap's exit status: the command's (7)").isEqualTo(7);
                Workload.Report r = Workload.Report.parse(Files.readAllLines(out), 7);
                int mainPid = r.readyPid();
                List<String> lines = p.stdout();
                assertThat(lines).as("stdout").isNotEmpty();
                assertThat(lines.getLast()).as("last line").isEqualTo("Bye...");
                assertThat(lines).as("stdout").contains("Scheduling stats:", RULE);
                String path = Pattern.quote(w.path().toString());
                assertThat(lines).as("exec line").anyMatch(l -> l.matches(
                        "PID " + mainPid + " executed (execve|execveat) syscall for pathname: " + path));
                assertThat(lines).as("thread line").anyMatch(l -> l.matches(
                        "PID " + mainPid + " executed clone( \\(\\w+ syscall\\))?: child PID " + r.thread().tid()
                                + " is a thread"));
                assertThat(lines).as("fork line").anyMatch(l -> l.matches(
                        "PID " + mainPid + " executed fork( \\(\\w+ syscall\\))?: child PID " + r.child().pid()
                                + " is a process"));
                assertThat(lines).as("child exit line").contains("PID " + r.child().pid() + " exited with code 3");
                assertThat(lines).as("command exit line").contains("PID " + mainPid + " exited with code 7");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(120)
    void aCommandKilledBySignalGives128PlusSignal(String backend) {
        try (Proctap p = Proctap.start("-i", "0", "--backend", backend, "--", "/bin/sh", "-c", "kill -TERM $$")) {
            assertThat(p.waitFor(WORKLOAD)).as("proctap's exit status: 128 + SIGTERM").isEqualTo(128 + 15);
            List<String> lines = p.stdout();
            assertThat(lines).as("stdout").isNotEmpty();
            assertThat(lines).as("the command's death").anyMatch(
                    l -> l.matches("PID \\d+ was killed by signal SIGTERM \\(15\\)"));
            assertThat(lines.getLast()).as("last line").isEqualTo("Bye...");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(120)
    void jsonReportsTheKillingSignal(String backend) {
        try (Proctap p = Proctap.start("--json", "-i", "0", "--backend", backend, "--", "/bin/sh", "-c",
                "kill -TERM $$")) {
            assertThat(p.waitFor(WORKLOAD)).as("proctap's exit status: 128 + SIGTERM").isEqualTo(128 + 15);
            List<JsonNode> all = p.json();
            assertJsonLinesWellFormed(all);
            assertThat(ofType(all, "exit")).as("exit lines").anySatisfy(x -> {
                assertThat(intOrNull(x, "exit_code")).isNull();
                assertThat(intOrNull(x, "signal")).isEqualTo(15);
                assertThat(textOrNull(x, "signal_name")).isEqualTo("SIGTERM");
            });
        }
    }
}
