package org.proctap.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class TaskCountersTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/linux-6.18/proc-task");

    private static String fixture(String name) throws IOException {
        return Files.readString(FIXTURES.resolve(name));
    }

    @Test
    void aSleepingThreadOfLinux618() throws IOException {
        TaskCounters c = TaskCounters.parse(fixture("sleeping.schedstat"), fixture("sleeping.status"),
                fixture("sleeping.sched"), fixture("sleeping.stat"));
        assertThat(c).isEqualTo(new TaskCounters(1247903, 865889, 6, 4, 2, 2, 'S', 1));
        assertThat(c.stateBits()).isEqualTo(0x1);
    }

    @Test
    void aCommWithSpacesAndParenthesesDoesNotShiftTheFields() {
        String stat = "77 (a) b (c) D 1 77 77 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
                + " 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
        TaskCounters c = TaskCounters.parse("1 2 3\n", "voluntary_ctxt_switches:\t9\nnonvoluntary_ctxt_switches:\t8\n",
                "se.nr_migrations    :    7\n", stat);
        assertThat(c).isEqualTo(new TaskCounters(1, 2, 3, 9, 8, 7, 'D', 0));
        assertThat(c.stateBits()).isEqualTo(0x2);
    }

    @Test
    void statesInTheKernelsBits() {
        assertThat(withState('R').stateBits()).isZero();
        assertThat(withState('I').stateBits()).isEqualTo(0x402);
        assertThat(withState('Z').stateBits()).isEqualTo(0x80);
    }

    private static TaskCounters withState(char s) {
        return new TaskCounters(0, 0, 0, 0, 0, 0, s, 0);
    }

    @Test
    void aNonvoluntaryLineIsNotTakenForTheVoluntaryOne() {
        TaskCounters c = TaskCounters.parse("1 2 3", "nonvoluntary_ctxt_switches:\t8\nvoluntary_ctxt_switches:\t9\n",
                "se.nr_migrations : 7", statLine());
        assertThat(c.voluntary()).isEqualTo(9);
        assertThat(c.nonvoluntary()).isEqualTo(8);
    }

    @Test
    void truncatedFilesAreRejected() {
        assertThatThrownBy(() -> TaskCounters.parse("1 2", "", "", statLine()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TaskCounters.parse("1 2 3", "voluntary_ctxt_switches: 1\n", "", statLine()))
                .isInstanceOf(IllegalArgumentException.class);
        String stat = statLine();
        assertThatThrownBy(() -> TaskCounters.parse("1 2 3", "voluntary_ctxt_switches: 1\nnonvoluntary_ctxt_switches: 1\n",
                "se.nr_migrations : 1", stat.substring(0, stat.length() / 2)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String statLine() {
        return "5 (x) S" + " 0".repeat(36) + " 1 0\n";
    }
}
