package org.proctap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Metric;
import org.proctap.metric.Unit;

class FamilyTest {
    @Test
    void everyMetricOfTheSchemaIsInExactlyOneFamily() {
        List<Metric> all = new ArrayList<>();
        for (Family f : Family.ALL) {
            f.parts().forEach(p -> all.add(p.metric()));
        }
        assertThat(all).containsExactlyInAnyOrder(Metric.values());
    }

    @Test
    void namesFollowPrometheusConventions() {
        for (Family f : Family.ALL) {
            assertThat(f.name()).matches("proctap_[a-z]+(_[a-z]+)*").doesNotEndWith("_total");
            boolean ns = f.parts().getFirst().metric().unit != Unit.COUNT;
            assertThat(f.name().endsWith("_seconds")).as(f.name() + ": seconds exactly when the schema counts time")
                    .isEqualTo(ns);
            assertThat(f.parts()).allMatch(p -> p.metric().unit == f.parts().getFirst().metric().unit);
        }
    }

    @Test
    void theNamesTheIssueAsksFor() {
        assertThat(FrameCollector.exportedNames()).contains("proctap_oncpu_seconds_total", "proctap_wait_seconds_total",
                "proctap_switches_total", "proctap_timer_interrupt_seconds_total", "proctap_runs_total",
                "proctap_migrations_total", "proctap_sleep_seconds_total", "proctap_io_seconds_total",
                "proctap_steal_seconds_total", "proctap_irq_seconds_total", "proctap_softirq_seconds_total",
                "proctap_wait_duration_seconds_bucket", "proctap_lost_events_total", "proctap_build_info",
                "proctap_series_dropped_total");
    }

    @Test
    void noTwoFamiliesShareANameOrASampleName() {
        assertThat(new HashSet<>(FrameCollector.exportedNames())).hasSameSizeAs(FrameCollector.exportedNames());
        List<String> families = Family.ALL.stream().map(Family::name).toList();
        assertThat(new HashSet<>(families)).hasSameSizeAs(families);
        for (String name : families) {
            assertThat(FrameCollector.exportedNames()).doesNotContain(name + "_bucket_total");
        }
    }
}
