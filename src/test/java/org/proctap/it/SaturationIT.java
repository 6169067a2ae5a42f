package org.proctap.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tables come on time when the watched tasks saturate every CPU: 300 threads of a crowd
 * (src/test/c/ptcrowd.c, 40 ms of CPU each in ~0.1 ms bursts, ~6 s on two CPUs), watched by name
 * with a table every second. At nice 0 proctap's reader was one of 300 equals and read the
 * kernel's figures seconds late (bpf: 3 tables in 6.2 s, one 5.8 s long; tracefs: tables up to
 * 1.75 s long); its threads run at nice -10 (OwnPriority), and every table must cover at most
 * 1.5 s. The crowd, started by the test, keeps its nice value, and so does a command proctap
 * starts.
 */
class SaturationIT extends ItSupport {
    static final int THREADS = 300;
    static final int CPU_MS = 40;
    static final double LONGEST_TABLE_S = 1.5;

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(120)
    void tablesComeEverySecondWhileTheCrowdSaturatesTheCpus(String backend) throws Exception {
        Path copy = Workload.namedCopy(Workload.compile(CrowdIT.SOURCE, "ptcrowd"), "pts_");
        Process crowd = new ProcessBuilder(copy.toString(), "--threads", "" + THREADS, "--cpu-ms", "" + CPU_MS)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(crowd.getInputStream(), StandardCharsets.UTF_8));
            assertThat(lines.readLine()).as("the crowd's first line").startsWith("ready pid=");
            try (Proctap p = Proctap.start("--json", "-i", "1", "--backend", backend, copy.getFileName().toString())) {
                p.awaitStart(STARTUP);
                SoftAssertions soft = new SoftAssertions();
                List<Integer> nice = nices(p.pid());
                System.out.printf("[measured] saturation %s: proctap's %d threads at nice %s%n", backend, nice.size(),
                        nice.stream().distinct().toList());
                soft.assertThat(nice).as("the nice value of each of proctap's threads").isNotEmpty().containsOnly(-10);
                OutputStream go = crowd.getOutputStream();
                long goNs = System.nanoTime();
                go.write("go\n".getBytes(StandardCharsets.UTF_8));
                go.flush();
                String line;
                while ((line = lines.readLine()) != null && !line.startsWith("done")) {
                    // thread lines
                }
                double ranS = (System.nanoTime() - goNs) / 1e9;
                assertThat(line).as("the crowd's last line").isEqualTo("done threads=" + THREADS);
                soft.assertThat(nices(crowd.pid())).as("the crowd's threads keep their nice value").containsOnly(0);
                p.signal(Proctap.SIGINT);
                assertThat(p.waitFor(EXIT)).as("proctap's exit status after SIGINT").isZero();
                List<JsonNode> intervals = ofType(p.json(), "interval");
                List<Double> lengths = new ArrayList<>();
                for (JsonNode n : intervals.subList(0, intervals.size() - 1)) { // (the last: cut by the stop)
                    lengths.add((n.path("ts_ns").asLong() - n.path("start_ns").asLong()) / 1e9);
                }
                System.out.printf("[measured] saturation %s: the crowd ran %.1f s; %d tables of %s s%n", backend, ranS,
                        intervals.size(), lengths.stream().map(x -> String.format("%.2f", x)).toList());
                soft.assertThat(lengths).as("each table's length, seconds").allMatch(x -> x <= LONGEST_TABLE_S);
                soft.assertThat(intervals.size()).as("tables while the crowd ran %.1f s", ranS)
                        .isGreaterThanOrEqualTo((int) ranS);
                soft.assertAll();
            }
        } finally {
            crowd.destroyForcibly();
            crowd.waitFor();
            Files.deleteIfExists(copy);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(60)
    void aCommandRunsAtTheNiceValueProctapWasStartedWith(String backend) {
        try (Proctap p = Proctap.start("-i", "0", "--backend", backend, "--",
                "sh", "-c", "echo nice=$(cut -d' ' -f19 /proc/self/stat)")) {
            assertThat(p.waitFor(EXIT)).as("proctap's exit status: the command's").isZero();
            assertThat(p.stdout()).as("what the command printed").contains("nice=0");
        }
    }

    /** Field 19 of each thread's stat line (fs/proc/array.c: task_nice()). */
    private static List<Integer> nices(long pid) throws java.io.IOException {
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                String s;
                try {
                    s = Files.readString(t.resolve("stat"));
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue;
                }
                String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                out.add(Integer.parseInt(f[19 - 3]));
            }
        }
        return out;
    }
}
