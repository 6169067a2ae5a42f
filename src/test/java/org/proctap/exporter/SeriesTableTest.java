package org.proctap.exporter;

import org.proctap.testing.Rows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.proctap.testing.Rows.row;
import static org.proctap.testing.Rows.snap;

import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Metric;

class SeriesTableTest {
    private static final long S = 1_000_000_000L;

    /** On-CPU ns per label set. */
    private static Map<LabelSet, Long> oncpu(Frame f) {
        return f.series().stream().collect(Collectors.toMap(Frame.Series::labels, s -> Metric.ONCPU_NS.of(s.totals())));
    }

    private static LabelSet comm(String comm, int cpu) {
        return new LabelSet(comm, cpu, -1, -1);
    }

    @Test
    void snapshotsAddTheirDifferencesOnce() {
        SeriesTable t = new SeriesTable(MetricsBy.COMM, 100);
        t.next(snap(1 * S, row(0, 10, 1, 10, "a", 100, 1), row(0, 11, 2, 10, "a", 50, 1)), 0);
        Frame f = t.next(snap(2 * S, row(0, 10, 1, 10, "a", 300, 3), row(0, 11, 2, 10, "a", 50, 1)), 0);
        assertThat(oncpu(f)).containsExactly(Map.entry(comm("a", 0), 350L));
        assertThat(Metric.RUNS.of(f.series().getFirst().totals())).isEqualTo(4);
    }

    @Test
    void aRowAPartialSnapshotLeavesOutIsUnchangedAndARetiredOneCountsAgainFromZero() {
        SeriesTable t = new SeriesTable(MetricsBy.COMM, 100);
        t.next(Rows.partial(1 * S, java.util.Set.of(), row(0, 10, 1, 10, "a", 100, 1), row(1, 10, 1, 10, "a", 40, 1)), 0);
        t.next(Rows.partial(2 * S, java.util.Set.of(), row(0, 10, 1, 10, "a", 150, 2)), 0); // CPU 1 unchanged
        Frame f = t.next(Rows.partial(3 * S, java.util.Set.of(1L), row(1, 10, 1, 10, "a", 60, 2)), 0);
        assertThat(oncpu(f)).as("only what was added").containsOnly(Map.entry(comm("a", 0), 150L),
                Map.entry(comm("a", 1), 60L));
        // retired: a row of the same incarnation later is a new entry's, counted from zero
        f = t.next(Rows.partial(4 * S, java.util.Set.of(), row(1, 10, 1, 10, "a", 5, 1)), 0);
        assertThat(oncpu(f)).containsOnly(Map.entry(comm("a", 0), 150L), Map.entry(comm("a", 1), 65L));
    }

    @Test
    void anExitedTasksTotalsStayInItsNamesSeries() {
        SeriesTable t = new SeriesTable(MetricsBy.COMM, 100);
        t.next(snap(1 * S, row(1, 10, 1, 10, "a", 100, 1), row(1, 11, 2, 11, "a", 70, 1)), 0);
        // tid 11 exited: the source no longer shows it
        Frame f = t.next(snap(2 * S, row(1, 10, 1, 10, "a", 130, 2)), 0);
        assertThat(oncpu(f)).containsExactly(Map.entry(comm("a", 1), 200L));
        Frame later = t.next(snap(200 * S, row(1, 10, 1, 10, "a", 130, 2)), 0);
        assertThat(oncpu(later)).as("a name's series is never retired").containsExactly(Map.entry(comm("a", 1), 200L));
    }

    @Test
    void aReusedPidCountsOnFromWhereTheSeriesWas() {
        SeriesTable t = new SeriesTable(MetricsBy.PID, 100);
        LabelSet p = new LabelSet("a", 0, 10, -1);
        t.next(snap(1 * S, row(0, 10, 1, 10, "a", 500, 5)), 0);
        t.next(snap(2 * S), 0); // exited
        // the kernel gives pid 10 to a new process of the same name: its totals start from 0
        Frame f = t.next(snap(3 * S, row(0, 10, 2, 10, "a", 40, 1)), 0);
        assertThat(oncpu(f)).containsExactly(Map.entry(p, 540L));
    }

    @Test
    void aTotalThatCameBackLowerIsNotCountedTwice() {
        SeriesTable t = new SeriesTable(MetricsBy.COMM, 100);
        t.next(snap(1 * S, row(0, 10, 1, 10, "a", 100, 1)), 0);
        t.next(snap(2 * S, row(0, 10, 1, 10, "a", 90, 1)), 0); // an estimate undercut
        Frame f = t.next(snap(3 * S, row(0, 10, 1, 10, "a", 150, 1)), 0);
        assertThat(oncpu(f)).containsExactly(Map.entry(comm("a", 0), 150L));
    }

    @Test
    void framesAlreadyHandedOutNeverChange() {
        SeriesTable t = new SeriesTable(MetricsBy.COMM, 100);
        Frame first = t.next(snap(1 * S, row(0, 10, 1, 10, "a", 100, 1)), 0);
        t.next(snap(2 * S, row(0, 10, 1, 10, "a", 900, 2)), 0);
        assertThat(oncpu(first)).containsExactly(Map.entry(comm("a", 0), 100L));
    }

    @Test
    void pastTheCapNewLabelSetsCountIntoTheirCpusOverflowOnce() {
        SeriesTable t = new SeriesTable(MetricsBy.PID, 2);
        t.next(snap(1 * S, row(0, 1, 1, 1, "a", 10, 1), row(0, 2, 2, 2, "a", 20, 1), row(0, 3, 3, 3, "a", 30, 1),
                row(1, 4, 4, 4, "b", 40, 1)), 0);
        Frame f = t.next(snap(2 * S, row(0, 1, 1, 1, "a", 10, 1), row(0, 2, 2, 2, "a", 20, 1),
                row(0, 3, 3, 3, "a", 35, 1), row(1, 4, 4, 4, "b", 40, 1)), 0);
        assertThat(oncpu(f)).containsOnly(Map.entry(new LabelSet("a", 0, 1, -1), 10L),
                Map.entry(new LabelSet("a", 0, 2, -1), 20L), Map.entry(new LabelSet("", 0, -1, -1), 35L),
                Map.entry(new LabelSet("", 1, -1, -1), 40L));
        assertThat(f.dropped()).as("each label set once, not once per snapshot").isEqualTo(2);
    }

    @Test
    void deadPidsSeriesAreRetiredAfterAMinuteAndFreeTheirPlace() {
        SeriesTable t = new SeriesTable(MetricsBy.PID, 1);
        t.next(snap(1 * S, row(0, 1, 1, 1, "a", 10, 1)), 0);
        Frame stillShown = t.next(snap(1 * S + SeriesTable.RETIRE_NS - 1), 0);
        assertThat(stillShown.series()).hasSize(1);
        Frame retired = t.next(snap(1 * S + SeriesTable.RETIRE_NS), 0);
        assertThat(retired.series()).isEmpty();
        Frame next = t.next(snap(100 * S, row(0, 2, 2, 2, "a", 5, 1)), 0);
        assertThat(oncpu(next)).containsExactly(Map.entry(new LabelSet("a", 0, 2, -1), 5L));
        assertThat(next.dropped()).isZero();
    }

    @Test
    void aLiveButIdleTasksSeriesIsNotRetired() {
        SeriesTable t = new SeriesTable(MetricsBy.TID, 10);
        for (long s = 1; s < 200; s += 10) {
            Frame f = t.next(snap(s * S, row(0, 7, 1, 5, "a", 10, 1)), 0);
            assertThat(oncpu(f)).containsExactly(Map.entry(new LabelSet("a", 0, 5, 7), 10L));
        }
    }
}
