package org.proctap.metric;

/** What a metric's value counts. */
public enum Unit {
    /** Events. */
    COUNT,
    /** Nanoseconds. */
    NS,
    /** A histogram: events counted per log2 slot of their length in microseconds ({@link Log2Slots}). */
    LOG2_US
}
