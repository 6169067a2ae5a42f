package org.proctap.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A JVM renames every thread it starts ("GC Thread#0", "C2 CompilerThre", "burner-1"...): they
 * must still be watched as threads of the process whose name matched. For tracefs this is the
 * path where the comm filter gives way to the pid list mid-run.
 */
class JavaThreadsIT extends ItSupport {
    static final int BURN_MS = 600;
    private static final Pattern LINE = Pattern.compile(
            "burner name=(\\S+) tid=(\\d+) schedstat_ns=(\\d+) pcount=(\\d+).*");

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(120)
    void renamedJavaThreadsAreWatchedAndCountedLikeTheKernel(String backend) throws Exception {
        String name = Workload.uniqueName().replace("ptw_", "ptj_");
        Path link = Workload.BUILD_DIR.resolve("bin").resolve(name);
        Files.createDirectories(link.getParent());
        Files.deleteIfExists(link);
        // The java launcher finds its libraries through /proc/self/exe: a symlink keeps it working
        // while the kernel names the process after the link.
        Files.createSymbolicLink(link, Path.of(Proctap.java()));
        try (Proctap p = Proctap.start("--json", "--cumulative", "-i", "0", "--backend", backend, name)) {
            p.awaitStart(STARTUP);
            Process jvm = new ProcessBuilder(link.toString(), "-XX:+UseSerialGC", "-cp",
                    System.getProperty("java.class.path"), JavaBurner.class.getName(), Integer.toString(BURN_MS))
                    .redirectErrorStream(true).start();
            String out = new String(jvm.getInputStream().readAllBytes());
            assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(jvm.exitValue()).as("the Java workload:%n%s", out).isZero();
            long jvmPid = jvm.pid();
            sleep(java.time.Duration.ofMillis(300));
            p.signal(Proctap.SIGTERM);
            assertThat(p.waitFor(EXIT)).isZero();
            List<JsonNode> all = p.json();
            List<JsonNode> rows = finalRows(all);

            Map<Integer, long[]> truth = new HashMap<>();
            List<String> names = new ArrayList<>();
            for (String line : out.split("\n")) {
                Matcher m = LINE.matcher(line.strip());
                if (m.matches()) {
                    truth.put(Integer.parseInt(m.group(2)),
                            new long[] {Long.parseLong(m.group(3)), Long.parseLong(m.group(4))});
                    names.add(m.group(1));
                }
            }
            assertThat(truth).as("burner lines in:%n%s", out).hasSize(2);
            for (var e : truth.entrySet()) {
                int tid = e.getKey();
                long oncpu = sum(rows, "oncpu_ns", r -> r.path("pid").asInt() == tid);
                long runs = sum(rows, "run", r -> r.path("pid").asInt() == tid);
                long schedstat = e.getValue()[0];
                long pcount = e.getValue()[1];
                System.out.printf("[measured] backend=%s java thread %d oncpu proctap=%d schedstat=%d (%s) run "
                        + "proctap=%d pcount=%d%n", backend, tid, oncpu, schedstat, percent(oncpu, schedstat), runs,
                        pcount);
                assertThat(rows).as("rows of java thread %d", tid).anySatisfy(r -> {
                    assertThat(r.path("pid").asInt()).isEqualTo(tid);
                    assertThat(r.path("tgid").asLong()).as("its process").isEqualTo(jvmPid);
                    assertThat(r.path("comm").asText()).as("its renamed comm").startsWith("burner-");
                });
                assertThat((double) oncpu).as("on-CPU of java thread %d vs schedstat", tid)
                        .isCloseTo(schedstat, org.assertj.core.api.Assertions.withinPercentage(2));
                // None may be missing. The reading is taken while the thread sleeps in its park;
                // it is switched in again to die at the halt, and the JVM's exit may add a few
                // more, so the upper bound is loose: the C workloads' tests check switch-ins
                // exactly.
                assertThat(runs).as("switch-ins of java thread %d vs pcount", tid)
                        .isBetween(pcount, pcount + 10);
            }
            assertThat(ofType(all, "exec")).as("the JVM's exec").anySatisfy(
                    x -> assertThat(x.path("pid").asLong()).isEqualTo(jvmPid));
            assertThat(ofType(all, "exit")).as("the JVM's exit").anySatisfy(x -> {
                assertThat(x.path("tgid").asLong()).isEqualTo(jvmPid);
                assertThat(x.path("exit_code").asInt()).isZero();
            });
        } finally {
            try {
                Files.deleteIfExists(link);
            } catch (IOException ignored) {
                // target/ is cleaned by the next build anyway
            }
        }
    }
}
