package org.proctap.source.bpf;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Metric;

import static org.assertj.core.api.Assertions.assertThat;

/** Where a task's time off the CPU that the program has not yet charged goes, by prev_state. */
class OpenOffTest {
    @Test
    void preemptedWaitsAsleepSleepsBlockedIsIoIdleKthreadSleepsDeadIsNothing() {
        assertThat(BpfSource.openOffMetric(0)).isEqualTo(Metric.WAIT_NS);
        assertThat(BpfSource.openOffMetric(0x1)).isEqualTo(Metric.SLEEP_NS);     // S
        assertThat(BpfSource.openOffMetric(0x2)).isEqualTo(Metric.IO_NS);        // D
        assertThat(BpfSource.openOffMetric(0x402)).isEqualTo(Metric.SLEEP_NS);   // TASK_IDLE (I)
        assertThat(BpfSource.openOffMetric(0x4)).isEqualTo(Metric.SLEEP_NS);     // stopped (T)
        assertThat(BpfSource.openOffMetric(0x80)).isNull();                       // dead (X)
    }
}
