package org.proctap.metric;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ValuesTest {
    @Test
    void aCompactBaselineDropsTrailingZerosOnly() {
        long[] v = Values.zero();
        v[Metric.RUNS.slot] = 3;
        v[Metric.ONCPU_NS.slot + 0] = 7;
        long[] c = Values.compact(v);
        assertThat(c).hasSize(Math.max(Metric.RUNS.slot, Metric.ONCPU_NS.slot) + 1);
        assertThat(Values.compact(Values.zero())).isEmpty();
        long[] last = Values.zero();
        last[Metric.SLOTS - 1] = -1;
        assertThat(Values.compact(last)).containsExactly(last);
    }

    @Test
    void differencesAndMaximaAgainstACompactBaselineAreThoseAgainstTheFullOne() {
        java.util.Random r = new java.util.Random(42);
        for (int round = 0; round < 10_000; round++) {
            long[] before = Values.zero();
            long[] now = Values.zero();
            int used = r.nextInt(Metric.SLOTS + 1);
            for (int i = 0; i < used; i++) {
                before[i] = r.nextInt(4) == 0 ? 0 : r.nextInt(1000);
                now[i] = before[i] + (r.nextBoolean() ? r.nextInt(1000) : -r.nextInt(3));
            }
            for (int i = used; i < Metric.SLOTS; i++) {
                now[i] = r.nextInt(3) == 0 ? r.nextInt(50) : 0; // slots the baseline never had
            }
            long[] compact = Values.compact(before);
            assertThat(Values.minus(now, compact)).containsExactly(Values.minus(now, before));
            assertThat(Values.max(now, compact)).containsExactly(Values.max(now, before));
        }
    }
}
