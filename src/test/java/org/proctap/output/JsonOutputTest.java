package org.proctap.output;

import org.proctap.metric.Metric;
import org.proctap.metric.TestValues;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.proctap.report.CpuProcessCounters;
import org.proctap.report.CpuTaskCounters;
import org.proctap.report.ExitReport;
import org.proctap.report.ExitStatus;
import org.proctap.report.ForkReport;
import org.proctap.report.IntervalReport;

class JsonOutputTest {
    private static final java.util.Set<Metric> ALL = java.util.Set.copyOf(java.util.EnumSet.allOf(Metric.class));

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void everyMetricHasItsFieldAndAnUnmeasuredOneIsNull() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JsonOutput out = new JsonOutput(new Sink(bytes), new WallClock(1_000_000_000L));
        long[] v = TestValues.with(TestValues.of(4, 1500, 2, 3000), Metric.WAIT_NS, 77);
        out.interval(new IntervalReport(1, 5, 20, List.of(new CpuTaskCounters(1, 3, 7, 1, "a", v)),
                new long[] {0, 0}, new long[] {0, 0}, new long[] {0, 0}, false, false,
                java.util.Set.of(Metric.RUNS, Metric.ONCPU_NS, Metric.WAIT_NS)));
        JsonNode row = parse(bytes.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow());
        for (Metric m : Metric.values()) {
            assertThat(row.has(m.json)).as("field %s", m.json).isEqualTo(!m.isHistogram());
        }
        assertThat(row.get("wait_ns").asLong()).isEqualTo(77);
        assertThat(row.get("run").asLong()).isEqualTo(4);
        assertThat(row.get("vol").isNull()).as("not measured: null, not 0").isTrue();
        assertThat(row.get("hrtimer_ns").isNull()).isTrue();
        assertThat(row.get("hrtimer_us").isNull()).isTrue();
    }

    @Test
    void aMetricCountedPerKindIsAnObjectOfEveryKindOrNull() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JsonOutput out = new JsonOutput(new Sink(bytes), new WallClock(1_000_000_000L));
        long[] v = TestValues.with(TestValues.of(4, 1500, 2, 3000), Metric.SOFTIRQ_NS, 900);
        v[Metric.SOFTIRQ_NS_BY_KIND.slot + 3] = 700; // NET_RX
        v[Metric.SOFTIRQ_NS_BY_KIND.slot + 9] = 200; // RCU
        v[Metric.SOFTIRQ_COUNT_BY_KIND.slot + 3] = 5;
        out.interval(new IntervalReport(1, 5, 20, List.of(new CpuTaskCounters(1, 3, 7, 1, "a", v)),
                new long[] {0, 0}, new long[] {0, 0}, new long[] {0, 0}, false, false,
                java.util.Set.of(Metric.RUNS, Metric.SOFTIRQ_NS, Metric.SOFTIRQ_NS_BY_KIND)));
        JsonNode row = parse(bytes.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow());
        assertThat(row.get("softirq_ns").asLong()).isEqualTo(900);
        JsonNode byKind = row.get("softirq_ns_by_kind");
        assertThat(byKind.isObject()).as("%s", byKind).isTrue();
        List<String> names = new java.util.ArrayList<>();
        byKind.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyElementsOf(org.proctap.metric.Softirq.NAMES);
        assertThat(byKind.get("NET_RX").asLong()).isEqualTo(700);
        assertThat(byKind.get("RCU").asLong()).isEqualTo(200);
        assertThat(byKind.get("HI").asLong()).isZero();
        assertThat(row.get("softirq_count_by_kind").isNull()).as("not measured: null, not an object").isTrue();
    }

    @Test
    void everyLineIsAnObjectWithTypeKernelTimeAndWallTime() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JsonOutput out = new JsonOutput(new Sink(bytes), new WallClock(1_000_000_000L));
        out.start(new Output.StartInfo(5, "pid", "1,2", List.of(1, 2), List.of(), "tracefs", 1.5, true));
        out.report(new ForkReport(10, 1, 1, 1, "a", 3, 1, "a", "clone", "clone3", true, 0x3d0f00));
        out.report(new ExitReport(11, 0, 3, 1, "a", ExitStatus.killed(9)));
        out.interval(new IntervalReport(1, 5, 20, List.of(new CpuTaskCounters(1, 3, 7, 1, "a", TestValues.of(4, 1500, 2, 3000))),
                new long[] {0, 9}, new long[] {1, 0}, new long[] {250_000, 0}, true, true, ALL));
        List<JsonNode> lines = bytes.toString(StandardCharsets.UTF_8).lines().map(this::parse).toList();
        assertThat(lines).extracting(n -> n.get("type").asText())
                .containsExactly("start", "fork", "exit", "stats", "interval");
        assertThat(lines).allSatisfy(n -> {
            assertThat(n.get("ts_ns").isIntegralNumber()).isTrue();
            assertThat(n.get("time").asText()).startsWith("1970-01-01T00:00:01");
        });
        JsonNode start = lines.get(0);
        assertThat(start.at("/target/mode").asText()).isEqualTo("pid");
        assertThat(start.at("/target/pids/1").asInt()).isEqualTo(2);
        assertThat(start.get("interval_s").asDouble()).isEqualTo(1.5);
        JsonNode fork = lines.get(1);
        assertThat(fork.get("thread").asBoolean()).isTrue();
        assertThat(fork.get("clone_flags").asLong()).isEqualTo(0x3d0f00);
        JsonNode exit = lines.get(2);
        assertThat(exit.get("exit_code").isNull()).isTrue();
        assertThat(exit.get("signal").asInt()).isEqualTo(9);
        assertThat(exit.get("signal_name").asText()).isEqualTo("SIGKILL");
        JsonNode row = lines.get(3);
        assertThat(row.get("pid").asInt()).isEqualTo(3);
        assertThat(row.get("tgid").asInt()).isEqualTo(1);
        assertThat(row.get("run").asLong()).isEqualTo(4);
        assertThat(row.get("oncpu_ns").asLong()).isEqualTo(1500);
        assertThat(row.get("hrtimer_us").asLong()).isEqualTo(3);
        assertThat(row.get("hrtimer_ns").asLong()).isEqualTo(3000);
        assertThat(row.get("timer_count").asLong()).isEqualTo(2);
        assertThat(row.get("final").asBoolean()).isTrue();
        JsonNode interval = lines.get(4);
        assertThat(interval.at("/lost/1").asLong()).isEqualTo(9);
        assertThat(interval.get("lost_total").asLong()).isEqualTo(9);
        assertThat(interval.at("/repairs/0").asLong()).isEqualTo(1);
        assertThat(interval.at("/repaired_ns/0").asLong()).isEqualTo(250_000);
        assertThat(interval.at("/repaired_ns/1").asLong()).isZero();
        assertThat(interval.get("rows").asInt()).isEqualTo(1);
        assertThat(interval.get("start_ns").asLong()).isEqualTo(5);
    }

    @Test
    void perProcessARowIsTheProcessWithItsThreadCountAndAnUnmeasuredFigureIsNull() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JsonOutput out = new JsonOutput(new Sink(bytes), new WallClock(1_000_000_000L));
        long[] v = TestValues.with(TestValues.of(9, 4500, 2, 3000), Metric.WAIT_NS, 77);
        IntervalReport r = new IntervalReport(1, 5, 20, List.of(new CpuTaskCounters(1, 3, 7, 1, "a", v),
                new CpuTaskCounters(1, 4, 8, 1, "b", v)), new long[] {0, 0}, new long[] {0, 0}, new long[] {0, 0},
                false, false, java.util.Set.of(Metric.RUNS, Metric.ONCPU_NS, Metric.WAIT_NS))
                .withProcessRows(List.of(new CpuProcessCounters(1, 1, "a", 2, TestValues.with(v, Metric.WAIT_NS, 154))));
        out.interval(r);
        List<JsonNode> lines = bytes.toString(StandardCharsets.UTF_8).lines().map(this::parse).toList();
        assertThat(lines).extracting(n -> n.get("type").asText()).containsExactly("stats", "interval");
        JsonNode row = lines.get(0);
        assertThat(row.get("pid").asInt()).as("pid is the process").isEqualTo(1);
        assertThat(row.get("tgid").asInt()).isEqualTo(1);
        assertThat(row.get("threads").asInt()).isEqualTo(2);
        assertThat(row.has("tid")).as("no task id in a process row").isFalse();
        assertThat(row.get("comm").asText()).isEqualTo("a");
        assertThat(row.get("wait_ns").asLong()).isEqualTo(154);
        assertThat(row.get("run").asLong()).isEqualTo(9);
        for (Metric m : Metric.values()) {
            // a histogram is a "hist" line of its own
            assertThat(row.has(m.json)).as("field %s", m.json).isEqualTo(!m.isHistogram());
        }
        assertThat(row.get("vol").isNull()).as("not measured: null, not 0").isTrue();
        assertThat(row.get("hrtimer_us").isNull()).isTrue();
        JsonNode interval = lines.get(1);
        assertThat(interval.get("rows").asInt()).as("the rows printed").isEqualTo(1);
        assertThat(interval.get("per_process").asBoolean()).isTrue();
    }

    @Test
    void aPerTaskRowHasNoThreadCount() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JsonOutput out = new JsonOutput(new Sink(bytes), new WallClock(1_000_000_000L));
        out.interval(new IntervalReport(1, 5, 20, List.of(new CpuTaskCounters(1, 3, 7, 1, "a", TestValues.of(1, 2, 3, 4))),
                new long[] {0, 0}, new long[] {0, 0}, new long[] {0, 0}, false, false, ALL));
        List<JsonNode> lines = bytes.toString(StandardCharsets.UTF_8).lines().map(this::parse).toList();
        assertThat(lines.get(0).has("threads")).isFalse();
        assertThat(lines.get(1).get("per_process").asBoolean()).isFalse();
    }

    private JsonNode parse(String line) {
        try {
            return mapper.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    @Test
    void theFinalTableIsFollowedByOneSummaryPerProcess() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JsonOutput out = new JsonOutput(new Sink(bytes), new WallClock(1_000_000_000L));
        long[] v = TestValues.with(TestValues.with(TestValues.of(4, 600, 2, 3000), Metric.WAIT_NS, 300),
                Metric.SLEEP_NS, 100);
        out.interval(new IntervalReport(3, 5, 20, List.of(), new long[] {0, 0}, new long[] {0, 0}, new long[] {0, 0},
                true, false, ALL, List.of(new org.proctap.report.ProcessSummary(42, "app", v))));
        List<JsonNode> lines = bytes.toString(StandardCharsets.UTF_8).lines().map(this::parse).toList();
        assertThat(lines).extracting(n -> n.get("type").asText()).containsExactly("interval", "summary");
        JsonNode sum = lines.get(1);
        assertThat(sum.get("pid").asInt()).isEqualTo(42);
        assertThat(sum.get("comm").asText()).isEqualTo("app");
        assertThat(sum.get("oncpu_ns").asLong()).isEqualTo(600);
        assertThat(sum.get("oncpu_pct").asDouble()).isEqualTo(60.0);
        assertThat(sum.get("wait_pct").asDouble()).isEqualTo(30.0);
        assertThat(sum.get("sleep_pct").asDouble()).isEqualTo(10.0);
        assertThat(sum.get("io_pct").asDouble()).isEqualTo(0.0);
    }
}
