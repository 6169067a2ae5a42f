package org.proctap.metric;

/** What a metric's value counts. */
public enum Unit {
    /** Events. */
    COUNT,
    /** Nanoseconds. */
    NS
}
