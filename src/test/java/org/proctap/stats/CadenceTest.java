package org.proctap.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CadenceTest {
    private static final long S = 1_000_000_000L;

    @Test
    void snapshotsAtLeastEverySecondAndTablesExactlyEveryInterval() {
        assertThat(Cadence.of(0, S)).isEqualTo(new Cadence(S, 0));
        assertThat(Cadence.of(5 * S, S)).isEqualTo(new Cadence(S, 5));
        assertThat(Cadence.of(S / 2, S)).isEqualTo(new Cadence(S / 2, 1));
        assertThat(Cadence.of(1_500_000_000L, S)).isEqualTo(new Cadence(750_000_000L, 2));
        assertThat(Cadence.of(S, S)).isEqualTo(new Cadence(S, 1));
    }
}
