package org.proctap.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class StatTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/linux-6.18/proc-task");

    @Test
    void aSleepingThreadOfLinux618() throws IOException {
        Stat s = Stat.parse(Files.readString(FIXTURES.resolve("sleeping.stat")));
        assertThat(s.state()).isEqualTo('S');
        assertThat(s.processor()).isEqualTo(1);
        assertThat(s.startTime()).isPositive();
        assertThat(s.layoutKnown()).as("read as root: the layout is shown").isTrue();
    }

    @Test
    void anotherUsersTaskHasItsLayoutHidden() {
        // /proc/1/task/1/stat read by nobody on Linux 6.18: startcode 1, endcode 1, startstack 0, exit_code 0
        Stat s = Stat.parse("1 (process_api) S 0 0 0 0 -1 4194560 427 316357 0 140 0 20 707 354 10 -10 16 0 25"
                + " 46829568 3012 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        assertThat(s.pid()).isEqualTo(1);
        assertThat(s.comm()).isEqualTo("process_api");
        assertThat(s.ppid()).isZero();
        assertThat(s.startTime()).isEqualTo(25);
        assertThat(s.processor()).isEqualTo(1);
        assertThat(s.layoutKnown()).isFalse();
    }

    @Test
    void aZombieShowsItsExitCode() {
        Stat s = Stat.parse("77 (a) b (c) Z 1 77 77 0 -1 4194316 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0 18446744073709551615"
                + " 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 768\n");
        assertThat(s.comm()).isEqualTo("a) b (c");
        assertThat(s.state()).isEqualTo('Z');
        assertThat(s.exitCode()).isEqualTo(768);
    }

    @Test
    void notAStatLine() {
        assertThatThrownBy(() -> Stat.parse("garbage\n")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void statusGivesTheSwitchCounters() throws IOException {
        Status s = Status.parse(Files.readString(FIXTURES.resolve("sleeping.status")));
        assertThat(s).isEqualTo(new Status(4, 2));
        assertThatThrownBy(() -> Status.parse("Name:\tx\n")).isInstanceOf(IllegalArgumentException.class);
    }
}
