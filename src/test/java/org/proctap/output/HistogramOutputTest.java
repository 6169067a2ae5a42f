package org.proctap.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Log2Slots;
import org.proctap.metric.Metric;
import org.proctap.metric.TestValues;
import org.proctap.report.CpuTaskCounters;
import org.proctap.report.IntervalReport;

/** --hist in text (runqlat's layout) and in JSON ("hist" lines), per process, after each table. */
class HistogramOutputTest {
    private static final Set<Metric> ALL = Set.copyOf(EnumSet.allOf(Metric.class));

    /** slices of process 42: thread 42 on CPU 0 and thread 43 on CPUs 0 and 1; process 7 idle in slices */
    private static IntervalReport table(Set<Metric> measured) {
        long[] a = slices(TestValues.of(3, 0, 0, 0), 0, 1, 2, 2);   // 1 in 0..1 us, 2 in 4..7 us
        long[] b = slices(TestValues.of(5, 0, 0, 0), 11, 5);         // 5 in 2048..4095 us
        long[] c = slices(TestValues.of(3, 0, 0, 0), 11, 3, 26, 1);  // 3 more there, 1 over 67 s
        long[] d = TestValues.of(0, 5, 0, 0);
        return new IntervalReport(1, 0, 1_000_000_000L, List.of(
                new CpuTaskCounters(0, 42, 1, 42, "app", a), new CpuTaskCounters(0, 43, 2, 42, "app-worker", b),
                new CpuTaskCounters(1, 43, 2, 42, "app-worker", c), new CpuTaskCounters(1, 7, 3, 7, "idle", d)),
                new long[2], new long[2], new long[2], false, false, measured);
    }

    /** v with SLICE_HIST slot s = n for each pair (s, n) */
    private static long[] slices(long[] v, int... pairs) {
        long[] c = v.clone();
        for (int i = 0; i < pairs.length; i += 2) {
            c[Metric.SLICE_HIST.slot + pairs[i]] = pairs[i + 1];
        }
        return c;
    }

    private static String text(IntervalReport r, List<Metric> hists) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new TextOutput(new Sink(bytes), false, List.of(Metric.ONCPU_NS), hists).interval(r);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachProcessGetsARunqlatHistogramAfterTheTable() {
        String out = text(table(ALL), List.of(Metric.SLICE_HIST));
        String afterTable = out.substring(out.lastIndexOf(TextOutput.RULE) + TextOutput.RULE.length() + 1);
        assertThat(afterTable).isEqualTo("""

                Slice histogram, PID 7 idle: none

                Slice histogram, PID 42 app:
                     usecs               : count    distribution
                         0 -> 1          : 1        |*****                                   |
                         2 -> 3          : 0        |                                        |
                         4 -> 7          : 2        |**********                              |
                         8 -> 15         : 0        |                                        |
                        16 -> 31         : 0        |                                        |
                        32 -> 63         : 0        |                                        |
                        64 -> 127        : 0        |                                        |
                       128 -> 255        : 0        |                                        |
                       256 -> 511        : 0        |                                        |
                       512 -> 1023       : 0        |                                        |
                      1024 -> 2047       : 0        |                                        |
                      2048 -> 4095       : 8        |****************************************|
                      4096 -> 8191       : 0        |                                        |
                      8192 -> 16383      : 0        |                                        |
                     16384 -> 32767      : 0        |                                        |
                     32768 -> 65535      : 0        |                                        |
                     65536 -> 131071     : 0        |                                        |
                    131072 -> 262143     : 0        |                                        |
                    262144 -> 524287     : 0        |                                        |
                    524288 -> 1048575    : 0        |                                        |
                   1048576 -> 2097151    : 0        |                                        |
                   2097152 -> 4194303    : 0        |                                        |
                   4194304 -> 8388607    : 0        |                                        |
                   8388608 -> 16777215   : 0        |                                        |
                  16777216 -> 33554431   : 0        |                                        |
                  33554432 -> 67108863   : 0        |                                        |
                  67108864 -> inf        : 1        |*****                                   |
                """);
    }

    @Test
    void aHistogramTheSourceDoesNotMeasureIsADashAndWithoutHistNothingIsAdded() {
        Set<Metric> noWait = EnumSet.complementOf(EnumSet.of(Metric.WAIT_HIST));
        String out = text(table(noWait), List.of(Metric.WAIT_HIST, Metric.SLICE_HIST));
        assertThat(out).contains("\nWait histogram, PID 42 app: - (not measured)\n")
                .contains("\nSlice histogram, PID 42 app:\n     usecs")
                .as("per process, wait first as asked").containsSubsequence("Wait histogram, PID 7",
                        "Slice histogram, PID 7", "Wait histogram, PID 42", "Slice histogram, PID 42");
        String plain = text(table(ALL), List.of());
        assertThat(plain).endsWith(TextOutput.RULE + "\n").doesNotContain("histogram");
    }

    @Test
    void jsonHasOneHistLinePerProcessWithSlotBoundsUpToTheLastNonEmptySlot() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Set<Metric> noWait = EnumSet.complementOf(EnumSet.of(Metric.WAIT_HIST));
        new JsonOutput(new Sink(bytes), new WallClock(0), List.of(Metric.SLICE_HIST, Metric.WAIT_HIST))
                .interval(table(noWait));
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = bytes.toString(StandardCharsets.UTF_8).lines().map(l -> {
            try {
                return mapper.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
        assertThat(lines).extracting(n -> n.get("type").asText())
                .containsExactly("stats", "stats", "stats", "stats", "hist", "hist", "hist", "hist", "interval");
        assertThat(lines.get(0).has("slice_hist")).as("not a field of the rows").isFalse();
        JsonNode app = lines.get(6);
        assertThat(app.get("kind").asText()).isEqualTo("slice");
        assertThat(app.get("pid").asInt()).isEqualTo(42);
        assertThat(app.get("comm").asText()).as("the main thread's name").isEqualTo("app");
        assertThat(app.get("unit").asText()).isEqualTo("us");
        assertThat(app.get("count").asLong()).isEqualTo(12);
        JsonNode slots = app.get("slots");
        assertThat(slots).hasSize(Log2Slots.COUNT);
        assertThat(slots.get(0).get("low").asLong()).isZero();
        assertThat(slots.get(0).get("high").asLong()).isEqualTo(1);
        assertThat(slots.get(0).get("count").asLong()).isEqualTo(1);
        assertThat(slots.get(11).get("low").asLong()).isEqualTo(2048);
        assertThat(slots.get(11).get("high").asLong()).isEqualTo(4095);
        assertThat(slots.get(11).get("count").asLong()).isEqualTo(8);
        assertThat(slots.get(26).get("high").isNull()).as("the last slot has no upper bound").isTrue();
        JsonNode idle = lines.get(4);
        assertThat(idle.get("pid").asInt()).isEqualTo(7);
        assertThat(idle.get("count").asLong()).isZero();
        assertThat(idle.get("slots")).isEmpty();
        assertThat(lines.get(5).get("kind").asText()).as("per process, in the order asked").isEqualTo("wait");
        JsonNode wait = lines.get(7);
        assertThat(wait.get("kind").asText()).isEqualTo("wait");
        assertThat(wait.get("count").isNull()).as("not measured: null").isTrue();
        assertThat(wait.get("slots").isNull()).isTrue();
    }
}
