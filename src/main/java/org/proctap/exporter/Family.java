package org.proctap.exporter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.proctap.metric.Metric;
import org.proctap.metric.Unit;

/**
 * One exported metric family, derived from the schema ({@link Metric}): its Prometheus name, and
 * which slots of a values array are its series. Names follow the Prometheus conventions
 * (prometheus.io/docs/practices/naming): base units (nanoseconds become {@code _seconds}),
 * {@code _total} on counters (added by the writers: {@link #name} is without it), one family for
 * what differs only by a label ({@code switches_total{kind}}), a histogram of durations named
 * {@code _duration_seconds}: OpenMetrics forbids two families of one name, so the wait histogram
 * cannot be {@code proctap_wait_seconds} beside the counter {@code proctap_wait_seconds_total}.
 *
 * @param name   without {@code _total}
 * @param metric what it exports
 * @param part   for a family of several metrics (switches): this one's label, else null
 * @param kindLabel for a metric counted per kind ({@link Metric#kinds}): the label naming the kind
 */
record Family(String name, Type type, String help, List<Part> parts, String kindLabel) {

    enum Type { COUNTER, HISTOGRAM }

    /** A metric in the family, and the label value that tells it from the others (or null). */
    record Part(Metric metric, String label, String value) {
    }

    static final String PREFIX = "proctap_";

    /** Every family, in schema order: each metric in exactly one. */
    static final List<Family> ALL = derive();

    /** Whether values of this family are seconds (the schema counts nanoseconds). */
    boolean seconds() {
        return parts.getFirst().metric().unit != Unit.COUNT;
    }

    /** The name a metric is exported under (before the type's suffix), without the prefix. */
    private static String base(Metric m) {
        return switch (m) {
            case RUNS -> "runs";
            case TIMER_NS -> "timer_interrupt_seconds";
            case ONCPU_NS -> "oncpu_seconds";
            case TIMER_COUNT -> "timer_interrupts";
            case WAIT_NS -> "wait_seconds";
            case SLEEP_NS -> "sleep_seconds";
            case IO_NS -> "io_seconds";
            case STEAL_NS -> "steal_seconds";
            case PREEMPT, VOL -> "switches";
            case MIGR -> "migrations";
            case IRQ_NS -> "irq_seconds";
            case IRQ_COUNT -> "irqs";
            case SOFTIRQ_NS -> "softirq_seconds";
            case SOFTIRQ_COUNT -> "softirqs";
            case SOFTIRQ_NS_BY_KIND -> "softirq_vector_seconds";
            case SOFTIRQ_COUNT_BY_KIND -> "softirq_vector";
            case WAIT_HIST -> "wait_duration_seconds";
            case SLICE_HIST -> "slice_duration_seconds";
        };
    }

    /** For the metrics that share a family: the label that tells them apart. */
    private static Part part(Metric m) {
        return switch (m) {
            case PREEMPT -> new Part(m, "kind", "involuntary");
            case VOL -> new Part(m, "kind", "voluntary");
            default -> new Part(m, null, null);
        };
    }

    private static String help(Metric m) {
        return switch (m) {
            case PREEMPT, VOL -> "switch-outs: voluntary (to sleep or block) and involuntary (still runnable)";
            default -> m.description;
        };
    }

    private static List<Family> derive() {
        Map<String, List<Part>> parts = new LinkedHashMap<>();
        Map<String, Metric> first = new LinkedHashMap<>();
        for (Metric m : Metric.values()) {
            String name = PREFIX + base(m);
            parts.computeIfAbsent(name, x -> new ArrayList<>()).add(part(m));
            first.putIfAbsent(name, m);
        }
        List<Family> all = new ArrayList<>();
        parts.forEach((name, ps) -> {
            Metric m = first.get(name);
            all.add(new Family(name, m.isHistogram() ? Type.HISTOGRAM : Type.COUNTER, help(m), List.copyOf(ps),
                    m.kinds.isEmpty() ? null : "vector"));
        });
        return List.copyOf(all);
    }

    /** The names Prometheus stores for this family: {@code _total}, or a histogram's three. */
    List<String> seriesNames() {
        return type == Type.COUNTER ? List.of(name + "_total")
                : List.of(name + "_bucket", name + "_sum", name + "_count");
    }
}
