package org.proctap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Metric;

import picocli.CommandLine;

/** --hist: repeatable or comma-separated, each kind once in the order first given; none by default. */
class HistOptionTest {
    private static Options parse(String... args) {
        ProctapCommand cmd = new ProctapCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd.toOptions(null);
    }

    @Test
    void repeatedAndCommaSeparatedKindsAreEachTakenOnceInOrder() {
        assertThat(parse("--hist", "slice", "--hist", "wait,slice", "x").histograms())
                .containsExactly(Metric.SLICE_HIST, Metric.WAIT_HIST);
        assertThat(parse("--hist", "wait,slice", "x").histograms()).containsExactly(Metric.WAIT_HIST, Metric.SLICE_HIST);
    }

    @Test
    void withoutHistNoneAndTheColumnsNeverIncludeAHistogram() {
        Options o = parse("--columns", "all", "x");
        assertThat(o.histograms()).isEmpty();
        assertThat(o.columns()).isNotEmpty().noneMatch(Metric::isHistogram);
        assertThat(parse("--seed-format", "x").histograms()).isEqualTo(List.of());
    }
}
