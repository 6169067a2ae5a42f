package org.proctap.report;

/**
 * How a source that polls /proc saw the tasks (null for the event sources): {@code hz} polls a
 * second, {@code polls} taken so far, and {@code unreadable} processes it found but could not read.
 * Its execs, forks and exits are differences between two polls, so they are approximate: a
 * process that lives less than {@link #periodNs} may never be seen.
 */
public record Polling(double hz, long polls, int unreadable) {

    /** The time between two polls. */
    public long periodNs() {
        return Math.round(1e9 / hz);
    }
}
