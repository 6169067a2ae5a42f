package org.proctap.source.tracefs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpuBufferStatsTest {
    @Test
    void parsesTheKernelsStatsFile() {
        // per_cpu/cpu1/stats as Linux 6.18 prints it
        CpuBufferStats s = CpuBufferStats.parse("""
                entries: 25
                overrun: 7
                commit overrun: 1
                bytes: 1748
                oldest event ts:   313.164854
                now ts:   319.399603
                dropped events: 2
                read events: 3
                """);
        assertThat(s.entries()).isEqualTo(25);
        assertThat(s.lost()).isEqualTo(10);
        assertThat(s.readEvents()).isEqualTo(3);
    }
}
