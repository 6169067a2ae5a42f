package org.proctap.exporter;

import java.util.List;

import org.proctap.report.CpuTaskCounters;

/**
 * One series' labels: a process name on a CPU, and with {@link MetricsBy#PID} or
 * {@link MetricsBy#TID} the process and thread (-1 where not labelled).
 */
record LabelSet(String comm, int cpu, int pid, int tid) {

    /** The label set a row of the tables counts into. */
    static LabelSet of(CpuTaskCounters row, MetricsBy by) {
        return switch (by) {
            case COMM -> new LabelSet(row.comm(), row.cpu(), -1, -1);
            case PID -> new LabelSet(row.comm(), row.cpu(), row.tgid(), -1);
            case TID -> new LabelSet(row.comm(), row.cpu(), row.tgid(), row.tid());
        };
    }

    /**
     * The values of {@link MetricsBy#labelNames()}, in that order; an overflow series' empty ones,
     * which Prometheus stores as no label at all.
     */
    List<String> values(MetricsBy by) {
        return switch (by) {
            case COMM -> List.of(comm, Integer.toString(cpu));
            case PID -> List.of(comm, Integer.toString(cpu), id(pid));
            case TID -> List.of(comm, Integer.toString(cpu), id(pid), id(tid));
        };
    }

    private static String id(int id) {
        return id < 0 ? "" : Integer.toString(id);
    }
}
