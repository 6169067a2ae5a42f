package org.proctap.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The correction of measured waits by the kernel's run_delay, reading by reading. */
class WaitAnchorTest {
    @Test
    void aReadingBehindTheEventsCorrectsTheWaitsMeasuredUpToIt() {
        WaitAnchor a = new WaitAnchor(2);
        a.read(1_000, 10);            // run_delay 1000 at t=10 (the start)
        a.measured(0, 5, 7);          // a wait before the reading: in it already
        a.measured(0, 20, 100);
        assertThat(a.settle(30)).as("the first reading only anchors").isZero();
        a.read(1_130, 40);            // the kernel added 130 by t=40
        a.measured(1, 35, 20);        // up to the reading: 120 measured since t=10
        a.measured(1, 45, 50);        // after it: the next window's
        assertThat(a.settle(39)).as("not every event up to the reading is in yet").isZero();
        assertThat(a.settle(50)).isEqualTo(130 - 120);
        a.read(1_180, 60);
        assertThat(a.settle(60)).as("50 measured after t=40, 50 added by the kernel").isZero();
    }

    @Test
    void aNegativeCorrectionBeyondTheTablesWaitsWaitsForTheNextTable() {
        WaitAnchor a = new WaitAnchor(1);
        a.startAt(0);
        a.measured(0, 1, 100);
        a.read(40, 2);
        long due = a.settle(2);
        assertThat(due).isEqualTo(-60);
        a.owe(due + 30);              // the table could take only 30 of it
        a.nextTable();
        a.read(40, 3);                // nothing since
        assertThat(a.settle(3)).isEqualTo(-30);
    }

    @Test
    void aLaterReadingWaitsWhileAnEarlierOneIsPending() {
        WaitAnchor a = new WaitAnchor(1);
        a.startAt(0);
        a.read(10, 100);
        a.read(99, 200);              // ignored: the one at 100 is not settled
        a.measured(0, 50, 10);
        assertThat(a.settle(150)).isZero();
        a.read(25, 300);
        a.measured(0, 250, 10);
        assertThat(a.settle(300)).isEqualTo(15 - 10);
    }

    @Test
    void forgettingStartsOverWithoutACorrection() {
        WaitAnchor a = new WaitAnchor(1);
        a.startAt(0);
        a.measured(0, 1, 5);
        a.forget();                   // exec into a watched name: run_delay since is partly unwatched
        a.read(1_000, 2);
        assertThat(a.settle(2)).isZero();
        a.measured(0, 3, 10);
        a.read(1_012, 4);
        assertThat(a.settle(4)).isEqualTo(2);
    }
}
