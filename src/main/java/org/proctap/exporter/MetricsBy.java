package org.proctap.exporter;

/**
 * How finely {@code --listen}'s series are labelled: by process name and CPU (the default), or
 * also by process ({@code pid}) or by thread ({@code pid} and {@code tid}).
 */
public enum MetricsBy {
    COMM, PID, TID;

    /** The label names of a series, in this order: comm, cpu, then pid and tid when asked for. */
    public java.util.List<String> labelNames() {
        return switch (this) {
            case COMM -> java.util.List.of("comm", "cpu");
            case PID -> java.util.List.of("comm", "cpu", "pid");
            case TID -> java.util.List.of("comm", "cpu", "pid", "tid");
        };
    }
}
