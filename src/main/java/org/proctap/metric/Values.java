package org.proctap.metric;

/** Operations on values arrays ({@link Metric#SLOTS} longs in schema order). */
public final class Values {
    private Values() {
    }

    public static long[] zero() {
        return new long[Metric.SLOTS];
    }

    public static boolean isZero(long[] v) {
        for (long x : v) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** Slot by slot {@code now - earlier}, never below 0 (totals never shrink; a source that
     * reported less shows no negative time). {@code earlier} may be {@link #compact}. */
    public static long[] minus(long[] now, long[] earlier) {
        long[] d = new long[now.length];
        for (int i = 0; i < now.length; i++) {
            d[i] = Math.max(0, now[i] - (i < earlier.length ? earlier[i] : 0));
        }
        return d;
    }

    private static final long[] NONE = new long[0];

    /**
     * {@code v} without its trailing zeros, for a baseline kept long: a row's figures fill the
     * first slots and the histograms come last (35 of the 89 slots without --hist).
     */
    public static long[] compact(long[] v) {
        int n = v.length;
        while (n > 0 && v[n - 1] == 0) {
            n--;
        }
        return n == 0 ? NONE : java.util.Arrays.copyOf(v, n);
    }

    /** Adds {@code v} to {@code into}, slot by slot. */
    public static void add(long[] into, long[] v) {
        for (int i = 0; i < into.length; i++) {
            into[i] += v[i];
        }
    }

    /** The sum of every slot (a histogram's events). */
    public static long sum(long[] v) {
        long total = 0;
        for (long x : v) {
            total += x;
        }
        return total;
    }

    /** Slot by slot the larger; {@code b} may be {@link #compact}. */
    public static long[] max(long[] a, long[] b) {
        long[] m = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            m[i] = Math.max(a[i], i < b.length ? b[i] : 0);
        }
        return m;
    }

    /** {@code , json=value} for every metric, a multi-slot one as its slots: for toString(). */
    public static String describe(long[] v) {
        StringBuilder sb = new StringBuilder();
        for (Metric m : Metric.values()) {
            sb.append(", ").append(m.json).append('=')
                    .append(m.slots > 1 ? java.util.Arrays.toString(m.slotsOf(v)) : Long.toString(m.of(v)));
        }
        return sb.toString();
    }
}
