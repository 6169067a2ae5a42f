package org.proctap.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Metric;
import org.proctap.metric.TestValues;
import org.proctap.report.CpuTaskCounters;
import org.proctap.report.ExecReport;
import org.proctap.report.ForkReport;
import org.proctap.report.IntervalReport;
import org.proctap.report.Polling;

/** How both outputs show a row without a CPU and the /proc poller's footer. */
class ProcRowsOutputTest {
    private static final Set<Metric> PROC = Set.of(Metric.RUNS, Metric.ONCPU_NS, Metric.WAIT_NS, Metric.PREEMPT,
            Metric.VOL);

    private static IntervalReport table(int unreadable) {
        long[] v = TestValues.with(TestValues.of(7, 2_500_000, 0, 0), Metric.WAIT_NS, 300_000);
        v[Metric.VOL.slot] = 5;
        v[Metric.PREEMPT.slot] = 2;
        return new IntervalReport(1, 5, 20, List.of(new CpuTaskCounters(CpuTaskCounters.NO_CPU, 42, 1, 42, "work", v, 1)),
                new long[0], new long[0], new long[0], true, false, PROC, List.of(), Map.of(), null,
                new Polling(10, 53, unreadable));
    }

    @Test
    void textShowsNoCpuAndSaysTheLinesAreApproximate() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new TextOutput(new Sink(bytes), false, List.of(Metric.ONCPU_NS, Metric.WAIT_NS, Metric.SLEEP_NS, Metric.PREEMPT,
                Metric.VOL, Metric.MIGR)).interval(table(3));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        String row = lines.stream().filter(l -> l.startsWith("-\t42\t")).findFirst().orElseThrow();
        assertThat(row).isEqualTo("-\t42\t  7\t      - us\twork           \t      2.500      0.300          -       2      5"
                + "      -      42");
        assertThat(lines).contains("Polled /proc at 10 Hz (53 polls): no CPU split; exec, fork and exit lines are"
                + " approximate: a process shorter than 100 ms can be missed", "Not readable: 3 processes (not counted)");
    }

    @Test
    void jsonHasNullCpuTheLastCpuAndPolling() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JsonOutput out = new JsonOutput(new Sink(bytes), new WallClock(1_000_000_000L));
        out.report(new ForkReport(3, CpuTaskCounters.NO_CPU, 1, 1, "sh", 42, 42, "sh", "fork", null, false,
                ForkReport.UNKNOWN_FLAGS));
        out.report(new ExecReport(4, CpuTaskCounters.NO_CPU, 42, 42, 42, "/usr/bin/work", null, "work"));
        out.interval(table(0));
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> all = bytes.toString(StandardCharsets.UTF_8).lines().map(l -> {
            try {
                return mapper.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
        JsonNode fork = all.get(0);
        assertThat(fork.get("cpu").isNull()).isTrue();
        assertThat(fork.get("clone_flags").isNull()).as("not seen: null, not -1").isTrue();
        assertThat(all.get(1).get("cpu").isNull()).isTrue();
        JsonNode row = all.stream().filter(n -> n.path("type").asText().equals("stats")).findFirst().orElseThrow();
        assertThat(row.get("cpu").isNull()).isTrue();
        assertThat(row.get("last_cpu").asInt()).isEqualTo(1);
        assertThat(row.get("oncpu_ns").asLong()).isEqualTo(2_500_000);
        assertThat(row.get("sleep_ns").isNull()).isTrue();
        JsonNode interval = all.stream().filter(n -> n.path("type").asText().equals("interval")).findFirst().orElseThrow();
        assertThat(interval.path("polling").path("hz").asDouble()).isEqualTo(10.0);
        assertThat(interval.path("polling").path("polls").asLong()).isEqualTo(53);
        assertThat(interval.path("polling").path("period_ns").asLong()).isEqualTo(100_000_000);
        assertThat(interval.path("polling").path("lines_approximate").asBoolean()).isTrue();
    }

    @Test
    void anEventSourcesTableHasNoPollingField() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new JsonOutput(new Sink(bytes), new WallClock(1_000_000_000L)).interval(new IntervalReport(1, 5, 20,
                List.of(new CpuTaskCounters(1, 42, 1, 42, "work", TestValues.of(1, 0, 5, 0))), new long[2], new long[2],
                new long[2], false, false, PROC));
        JsonNode interval = new ObjectMapper().readTree(bytes.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("\"interval\",")).findFirst().orElseThrow());
        assertThat(interval.has("polling")).isFalse();
        JsonNode row = new ObjectMapper().readTree(bytes.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow());
        assertThat(row.get("cpu").asInt()).isEqualTo(1);
        assertThat(row.has("last_cpu")).isFalse();
    }
}
