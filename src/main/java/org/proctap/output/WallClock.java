package org.proctap.output;

import java.time.Instant;

/**
 * Maps kernel timestamps (CLOCK_MONOTONIC ns, which is what System.nanoTime reads on Linux) to
 * wall-clock time, using an offset measured once at start-up.
 */
public final class WallClock {
    private final long offsetNs;

    public WallClock() {
        long best = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < 5; i++) {
            long before = System.nanoTime();
            Instant now = Instant.now();
            long after = System.nanoTime();
            if (after - before < best) {
                best = after - before;
                long wall = now.getEpochSecond() * 1_000_000_000L + now.getNano();
                offset = wall - (before + (after - before) / 2);
            }
        }
        this.offsetNs = offset;
    }

    /** For tests: a fixed offset. */
    public WallClock(long offsetNs) {
        this.offsetNs = offsetNs;
    }

    public Instant toInstant(long monotonicNs) {
        long wall = monotonicNs + offsetNs;
        return Instant.ofEpochSecond(Math.floorDiv(wall, 1_000_000_000L), Math.floorMod(wall, 1_000_000_000L));
    }
}
