package org.proctap.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.proctap.testing.Commands;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metric list is declared twice, as PT_METRICS in src/main/bpf/proctap.h (the BPF counters'
 * layout) and as {@link Metric}: compiles the header's list with gcc and checks the two name the
 * same metrics in the same order with the same slots.
 */
class MetricSchemaTest {
    @Test
    void theHeaderAndTheEnumDeclareTheSameMetricsInTheSameSlots(@TempDir Path dir) throws Exception {
        Path header = Path.of("src/main/bpf/proctap.h").toAbsolutePath();
        String c = "#include <stdio.h>\n#include \"" + header + "\"\n"
                + "#define PRINT(name, slots) printf(\"%s %d %d\\n\", #name, (int)PT_M_##name, (int)(slots));\n"
                + "int main(void) { PT_METRICS(PRINT) printf(\"PT_SLOTS %d 0\\n\", (int)PT_SLOTS); return 0; }\n";
        Path src = dir.resolve("metrics.c");
        Files.writeString(src, c);
        Path bin = dir.resolve("metrics");
        Commands.run(List.of("gcc", "-Wall", "-Werror", "-o", bin.toString(), src.toString()));
        List<String> fromC = Commands.run(List.of(bin.toString())).lines().toList();

        List<String> fromJava = new ArrayList<>();
        for (Metric m : Metric.values()) {
            fromJava.add(m.name() + " " + m.slot + " " + m.slots);
        }
        fromJava.add("PT_SLOTS " + Metric.SLOTS + " 0");
        assertThat(fromJava).containsExactlyElementsOf(fromC);
    }

    @Test
    void everyMetricHasItsOwnNames() {
        assertThat(Metric.values()).extracting(m -> m.json).doesNotHaveDuplicates();
        // a column is named in --columns, a histogram in --hist: unique within each
        assertThat(Arrays.stream(Metric.values()).filter(Metric::inText).map(m -> m.column))
                .doesNotHaveDuplicates();
        assertThat(Arrays.stream(Metric.values()).filter(Metric::isHistogram).map(m -> m.column))
                .doesNotHaveDuplicates();
    }

    @Test
    void histogramsAreLog2SlotsOfMicroseconds() {
        assertThat(Arrays.stream(Metric.values()).filter(Metric::isHistogram))
                .containsExactly(Metric.WAIT_HIST, Metric.SLICE_HIST)
                .allSatisfy(m -> {
                    assertThat(m.slots).isEqualTo(Log2Slots.COUNT);
                    assertThat(m.unit).isEqualTo(Unit.LOG2_US);
                });
        assertThat(Arrays.stream(Metric.values()).filter(m -> !m.isHistogram())).allSatisfy(m ->
                assertThat(m.unit).isNotEqualTo(Unit.LOG2_US));
    }

    @Test
    void aMetricCountedPerKindHasOneSlotPerKindAndNoTextColumn() {
        for (Metric m : Metric.values()) {
            if (!m.kinds.isEmpty()) {
                assertThat(m.slots).as("%s slots", m).isEqualTo(m.kinds.size());
                assertThat(m.inText()).as("%s in text", m).isFalse();
            }
        }
        assertThat(Metric.SOFTIRQ_NS_BY_KIND.kinds).containsExactlyElementsOf(Softirq.NAMES);
        assertThat(Softirq.NAMES).hasSize(10).startsWith("HI", "TIMER").endsWith("HRTIMER", "RCU");
        assertThat(Softirq.name(3)).isEqualTo("NET_RX");
        assertThat(Softirq.name(10)).isNull();
    }
}
