package org.proctap.sys;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpusTest {
    @Test
    void possibleListIsARangeList() {
        assertThat(Cpus.parseRangeMax("0")).isZero();
        assertThat(Cpus.parseRangeMax("0-1")).isEqualTo(1);
        assertThat(Cpus.parseRangeMax("0-3,5,7-8")).isEqualTo(8);
        assertThat(Cpus.possible()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void errnoAndSignalNames() {
        assertThat(Errno.describe(-1)).isEqualTo("EPERM (1)");
        assertThat(Errno.name(11)).isEqualTo("EAGAIN");
        assertThat(Signals.name(15)).isEqualTo("SIGTERM");
        assertThat(Signals.fatalByDefault(17)).isFalse();
        assertThat(Signals.fatalByDefault(9)).isTrue();
    }
}
