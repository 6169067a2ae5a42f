package org.proctap.metric;

/** Values arrays for tests, from the original figures (the new ones 0). */
public final class TestValues {
    private TestValues() {
    }

    public static long[] of(long runs, long oncpuNs, long timerCount, long timerNs) {
        long[] v = Values.zero();
        v[Metric.RUNS.slot] = runs;
        v[Metric.ONCPU_NS.slot] = oncpuNs;
        v[Metric.TIMER_COUNT.slot] = timerCount;
        v[Metric.TIMER_NS.slot] = timerNs;
        return v;
    }

    /** {@code v} with {@code m} set to {@code x}. */
    public static long[] with(long[] v, Metric m, long x) {
        long[] c = v.clone();
        c[m.slot] = x;
        return c;
    }
}
