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
     * reported less shows no negative time). */
    public static long[] minus(long[] now, long[] earlier) {
        long[] d = new long[now.length];
        for (int i = 0; i < now.length; i++) {
            d[i] = Math.max(0, now[i] - earlier[i]);
        }
        return d;
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

    /** Slot by slot the larger. */
    public static long[] max(long[] a, long[] b) {
        long[] m = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            m[i] = Math.max(a[i], b[i]);
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
