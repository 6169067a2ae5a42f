package org.proctap.exporter;

import java.util.List;

import org.proctap.report.CpuTaskCounters;

/**
 * One series' labels: a process name on a CPU, and with {@link MetricsBy#PID} or
 * {@link MetricsBy#TID} the process and thread (-1 where not labelled); under --cgroup the
 * cgroup v2 path of the process (null otherwise: no such label).
 */
record LabelSet(String comm, int cpu, int pid, int tid, String cgroup) {

    LabelSet(String comm, int cpu, int pid, int tid) {
        this(comm, cpu, pid, tid, null);
    }

    /** The label set a row of the tables counts into; {@code cgroup}: its process's, or null. */
    static LabelSet of(CpuTaskCounters row, MetricsBy by, String cgroup) {
        return switch (by) {
            case COMM -> new LabelSet(row.comm(), row.cpu(), -1, -1, cgroup);
            case PID -> new LabelSet(row.comm(), row.cpu(), row.tgid(), -1, cgroup);
            case TID -> new LabelSet(row.comm(), row.cpu(), row.tgid(), row.tid(), cgroup);
        };
    }

    /** {@link MetricsBy#labelNames()}, and cgroup when this set has one. */
    List<String> names(MetricsBy by) {
        if (cgroup == null) {
            return by.labelNames();
        }
        List<String> names = new java.util.ArrayList<>(by.labelNames());
        names.add("cgroup");
        return names;
    }

    /**
     * The values of {@link MetricsBy#labelNames()}, in that order; an overflow series' empty ones,
     * which Prometheus stores as no label at all.
     */
    List<String> values(MetricsBy by) {
        List<String> values = switch (by) {
            case COMM -> List.of(comm, Integer.toString(cpu));
            case PID -> List.of(comm, Integer.toString(cpu), id(pid));
            case TID -> List.of(comm, Integer.toString(cpu), id(pid), id(tid));
        };
        if (cgroup == null) {
            return values;
        }
        List<String> all = new java.util.ArrayList<>(values);
        all.add(cgroup);
        return all;
    }

    private static String id(int id) {
        return id < 0 ? "" : Integer.toString(id);
    }
}
