package org.proctap.metric;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SoftirqTest {
    @Test
    void aTotalReadBetweenTheProgramsTwoAdditionsIsTheSumOfItsVectors() {
        long[] v = Values.zero();
        v[Metric.SOFTIRQ_NS_BY_KIND.slot + 3] = 1_000; // NET_RX: added already
        v[Metric.SOFTIRQ_NS_BY_KIND.slot + 1] = 500;   // TIMER
        v[Metric.SOFTIRQ_COUNT_BY_KIND.slot + 3] = 4;
        v[Metric.SOFTIRQ_COUNT_BY_KIND.slot + 1] = 1;
        v[Metric.SOFTIRQ_NS.slot] = 1_218;             // the last softirq's 282 ns not in it yet
        v[Metric.SOFTIRQ_COUNT.slot] = 4;
        Softirq.totalsFromVectors(v);
        assertThat(Metric.SOFTIRQ_NS.of(v)).isEqualTo(1_500);
        assertThat(Metric.SOFTIRQ_COUNT.of(v)).isEqualTo(5);
        assertThat(Softirq.NAMES).as("a slot for each of the kernel's NR_SOFTIRQS vectors")
                .hasSize(Metric.SOFTIRQ_NS_BY_KIND.slots);
    }
}
