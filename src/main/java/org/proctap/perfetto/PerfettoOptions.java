package org.proctap.perfetto;

/**
 * How a {@link PerfettoWriter} writes.
 *
 * @param wakeups         which ftrace event a wake-up becomes
 * @param compactSched    switches (and wake-ups taken as sched_waking) in Perfetto's compact
 *                        columns where trace_processor's inference of prev_* and the waker gives
 *                        them back, in full elsewhere ({@link CompactSched}): a fifth of the size
 * @param eventsPerBundle events of one CPU written together as one packet; what the writer holds
 */
public record PerfettoOptions(Wakeups wakeups, boolean compactSched, int eventsPerBundle) {
    /** About traced_probes' bundle of a few ring-buffer pages; ~45 KB of packet per CPU. */
    public static final int DEFAULT_EVENTS_PER_BUNDLE = 1024;

    /** Every field of every event, wake-ups as sched_waking. */
    public static final PerfettoOptions DEFAULT = new PerfettoOptions(Wakeups.AS_WAKING, false,
            DEFAULT_EVENTS_PER_BUNDLE);

    public PerfettoOptions {
        if (wakeups == null) {
            throw new IllegalArgumentException("wakeups: AS_WAKING or AS_RECORDED");
        }
        if (eventsPerBundle < 1) {
            throw new IllegalArgumentException("events per bundle must be at least 1, not " + eventsPerBundle);
        }
    }

    public PerfettoOptions withWakeups(Wakeups w) {
        return new PerfettoOptions(w, compactSched, eventsPerBundle);
    }

    public PerfettoOptions withCompactSched(boolean compact) {
        return new PerfettoOptions(wakeups, compact, eventsPerBundle);
    }

    public PerfettoOptions withEventsPerBundle(int n) {
        return new PerfettoOptions(wakeups, compactSched, n);
    }
}
