package org.proctap.stats;

import org.proctap.testing.Rows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.proctap.testing.Rows.row;
import static org.proctap.testing.Rows.snap;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Metric;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuTaskCounters;
import org.proctap.report.IntervalReport;
import org.proctap.report.Report;
import org.proctap.source.IntervalListener;
import org.proctap.source.SourceListener;

class IntervalMergerTest {
    private static final long S = 1_000_000_000L;

    private static final class Tables implements IntervalListener {
        final List<IntervalReport> shown = new ArrayList<>();

        @Override
        public void onStart(long ts) {
        }

        @Override
        public void onReport(Report report) {
        }

        @Override
        public void onInterval(IntervalReport interval) {
            shown.add(interval);
        }

        @Override
        public void onNotice(String message) {
        }
    }

    private static CounterSnapshot fin(long ts, CpuTaskCounters... rows) {
        return new CounterSnapshot(ts, List.of(rows), new long[] {0, 3}, new long[2], new long[2], true, Rows.ALL);
    }

    @Test
    void everyNthIntervalIsTheSumOfTheOnesSinceTheLast() {
        Tables tables = new Tables();
        SourceListener l = IntervalListener.aggregating(false, false, new IntervalMerger(2, false, tables));
        l.onStart(0);
        l.onSnapshot(snap(1 * S, row(0, 1, 1, 1, "a", 100, 1)));
        l.onSnapshot(snap(2 * S, row(0, 1, 1, 1, "a", 250, 2), row(1, 2, 2, 2, "b", 10, 1)));
        l.onSnapshot(snap(3 * S, row(0, 1, 1, 1, "a", 260, 3), row(1, 2, 2, 2, "b", 10, 1)));
        l.onSnapshot(fin(3 * S + 1, row(0, 1, 1, 1, "a", 300, 4), row(1, 2, 2, 2, "b", 10, 1)));
        assertThat(tables.shown).hasSize(2);
        IntervalReport first = tables.shown.get(0);
        assertThat(first.index()).isEqualTo(1);
        assertThat(first.startNs()).isZero();
        assertThat(first.endNs()).isEqualTo(2 * S);
        assertThat(first.rows()).extracting(r -> r.get(Metric.ONCPU_NS)).containsExactly(250L, 10L);
        IntervalReport last = tables.shown.get(1);
        assertThat(last.fin()).isTrue();
        assertThat(last.index()).isEqualTo(2);
        assertThat(last.startNs()).isEqualTo(2 * S);
        assertThat(last.rows()).extracting(r -> r.get(Metric.ONCPU_NS)).containsExactly(50L);
        assertThat(last.lostPerCpu()).containsExactly(0, 3);
        assertThat(last.processes()).extracting(p -> p.tgid()).containsExactly(1, 2);
    }

    @Test
    void withOnlyTheFinalTableAnExitedTaskIsStillInIt() {
        Tables tables = new Tables();
        SourceListener l = IntervalListener.aggregating(false, false, new IntervalMerger(0, false, tables));
        l.onStart(0);
        l.onSnapshot(snap(1 * S, row(0, 1, 1, 1, "a", 100, 1), row(0, 2, 2, 2, "gone", 70, 1)));
        l.onSnapshot(snap(2 * S, row(0, 1, 1, 1, "a", 150, 1))); // the source forgot tid 2
        l.onSnapshot(fin(3 * S, row(0, 1, 1, 1, "a", 160, 1)));
        assertThat(tables.shown).hasSize(1);
        assertThat(tables.shown.getFirst().rows()).extracting(CpuTaskCounters::tid, r -> r.get(Metric.ONCPU_NS))
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 160L), org.assertj.core.groups.Tuple.tuple(2, 70L));
        assertThat(tables.shown.getFirst().startNs()).isZero();
    }

    @Test
    void cumulativeTablesAreTheLatest() {
        Tables tables = new Tables();
        SourceListener l = IntervalListener.aggregating(true, false, new IntervalMerger(3, false, tables));
        l.onStart(0);
        for (int i = 1; i <= 3; i++) {
            l.onSnapshot(snap(i * S, row(0, 1, 1, 1, "a", 100L * i, i)));
        }
        assertThat(tables.shown).singleElement().satisfies(r -> {
            assertThat(r.rows().getFirst().get(Metric.ONCPU_NS)).isEqualTo(300);
            assertThat(r.startNs()).isZero();
        });
    }

    @Test
    void perProcessRowsAreMadeAfterMerging() {
        Tables tables = new Tables();
        SourceListener l = IntervalListener.aggregating(false, false, new IntervalMerger(2, true, tables));
        l.onStart(0);
        l.onSnapshot(snap(1 * S, row(0, 1, 1, 1, "a", 100, 1), row(0, 2, 2, 1, "a", 10, 1)));
        l.onSnapshot(snap(2 * S, row(0, 1, 1, 1, "a", 200, 2), row(0, 2, 2, 1, "a", 30, 2)));
        assertThat(tables.shown.getFirst().perProcess()).isTrue();
        assertThat(tables.shown.getFirst().processRows()).singleElement()
                .satisfies(p -> assertThat(Metric.ONCPU_NS.of(p.values())).isEqualTo(230));
    }
}
