package org.proctap.it;

import java.util.List;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --seed-format}: the table has exactly the seed's five columns, laid out like the seed's printf. */
class TextFormatIT extends ItSupport {
    static final String SEED_HEADER = "CPU\tPID\trun\thrtimer\t\tcomm";

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(120)
    void seedFormatHasTheSeedsFiveColumns(String backend) {
        try (Workload w = Workload.create();
             Proctap p = Proctap.start("--seed-format", "-i", "0", "--backend", backend, w.name())) {
            p.awaitLine("\"Watching process: " + w.name() + "\"", l -> l.equals("Watching process: " + w.name()),
                    STARTUP);
            Workload.Report r = w.start("--main-ms", "150", "--thread-ms", "150", "--child-ms", "150",
                    "--sleep-ms", "2").await(WORKLOAD);
            int mainPid = r.readyPid();
            p.awaitLine("the exit of the workload's main process",
                    l -> l.equals("PID " + mainPid + " exited with code 7"), WORKLOAD);
            p.signal(Proctap.SIGTERM);
            assertThat(p.waitFor(EXIT)).as("exit status after SIGTERM").isEqualTo(0);

            List<String> lines = p.stdout();
            assertThat(lines.getLast()).as("last line").isEqualTo("Bye...");
            int stats = lines.lastIndexOf("Scheduling stats:");
            assertThat(stats).as("a \"Scheduling stats:\" table").isPositive();
            assertThat(lines.get(stats - 1)).as("rule above the table").isEqualTo(RULE);
            assertThat(lines.get(stats + 1)).as("seed header").isEqualTo(SEED_HEADER);
            int end = lines.subList(stats, lines.size()).indexOf(RULE) + stats;
            assertThat(end).as("closing rule").isGreaterThan(stats + 1);
            List<String> rows = lines.subList(stats + 2, end);
            assertThat(rows).as("table rows").isNotEmpty();
            for (String row : rows) {
                // The seed: printf("%d\t%d\t%3d\t%7d us\t%s\n", cpu, pid, run, hrtimer_us, comm)
                String[] f = row.split("\t", -1);
                assertThat(f).as("tab-separated columns of '%s'", row).hasSize(5);
                assertThat(f[0]).as("CPU of '%s'", row).matches("\\d+");
                assertThat(f[1]).as("PID of '%s'", row).matches("\\d+");
                assertThat(f[2]).as("run (%%3d) of '%s'", row).matches(" *\\d+").hasSizeGreaterThanOrEqualTo(3);
                assertThat(f[3]).as("hrtimer (%%7d us) of '%s'", row).matches(" *\\d+ us")
                        .hasSizeGreaterThanOrEqualTo(10);
                assertThat(f[4]).as("comm of '%s'", row).isEqualTo(w.name());
            }
            assertThat(rows).as("a row for the main thread %d", mainPid)
                    .anyMatch(row -> row.split("\t")[1].equals("" + mainPid));
        }
    }
}
