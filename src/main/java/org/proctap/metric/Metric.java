package org.proctap.metric;

import java.util.List;

/**
 * The figures counted per CPU and task, declared once: each source fills them, the aggregator
 * subtracts them, every output renders them from here. The order and slot counts are those of
 * {@code PT_METRICS} in src/main/bpf/proctap.h, where the BPF program's counters are laid out
 * (MetricSchemaTest checks the two agree). Values travel as {@code long[]} in this order,
 * {@link #SLOTS} long; a histogram takes {@link #slots} consecutive slots, each a running total
 * (a count of events in that slot, see {@link Log2Slots}), so that intervals subtract as counters do.
 * Counters are the table's columns and the JSON rows' fields; histograms are printed apart, when
 * asked for ({@code --hist}).
 */
public enum Metric {
    RUNS(Unit.COUNT, 1, "run", "run", "switch-ins of the task on this CPU"),
    TIMER_NS(Unit.NS, 1, "hrtimer_ns", "hrtimer",
            "time in local timer interrupts (the hrtimer tick) taken while the task ran"),
    ONCPU_NS(Unit.NS, 1, "oncpu_ns", "on-cpu", "time on the CPU: the kernel's own charges"),
    TIMER_COUNT(Unit.COUNT, 1, "timer_count", "timers", "local timer interrupts taken while the task ran"),
    WAIT_NS(Unit.NS, 1, "wait_ns", "wait",
            "time runnable on a run queue, waiting for a CPU, before each switch-in here"),
    SLEEP_NS(Unit.NS, 1, "sleep_ns", "sleep",
            "time off the CPU asleep (state S), before each switch-in here, less the wait"),
    IO_NS(Unit.NS, 1, "io_ns", "io",
            "time off the CPU blocked uninterruptibly (state D, mostly I/O), less the wait"),
    STEAL_NS(Unit.NS, 1, "steal_ns", "steal",
            "time on the CPU the kernel did not charge as the task's runtime: the hypervisor's steal"),
    PREEMPT(Unit.COUNT, 1, "preempt", "preempt", "switch-outs while still runnable (involuntary)"),
    VOL(Unit.COUNT, 1, "vol", "vol", "switch-outs to sleep or block (voluntary)"),
    MIGR(Unit.COUNT, 1, "migr", "migr", "moves between CPUs before each switch-in here"),
    IRQ_NS(Unit.NS, 1, "irq_ns", "irq",
            "time in hard interrupt handlers (irq_handler_entry/exit; not the local timer) taken while the task ran"),
    IRQ_COUNT(Unit.COUNT, 1, "irq_count", "irqs", "hard interrupt handlers run while the task ran"),
    SOFTIRQ_NS(Unit.NS, 1, "softirq_ns", "softirq",
            "time in softirqs run in the task's context, less the hard and timer interrupts inside them"),
    SOFTIRQ_COUNT(Unit.COUNT, 1, "softirq_count", "softirqs", "softirqs run in the task's context"),
    SOFTIRQ_NS_BY_KIND(Unit.NS, Softirq.NAMES, "softirq_ns_by_kind", "softirq_ns per softirq vector"),
    SOFTIRQ_COUNT_BY_KIND(Unit.COUNT, Softirq.NAMES, "softirq_count_by_kind", "softirq_count per softirq vector"),
    /** --hist wait: one count per switch-in, in the slot of the run-queue wait that ended there. */
    WAIT_HIST(Unit.LOG2_US, Log2Slots.COUNT, "wait_hist", "wait",
            "run-queue waits before each switch-in here, by length"),
    /** --hist slice: one count per switch-in, in the slot of the slice on the CPU that began there. */
    SLICE_HIST(Unit.LOG2_US, Log2Slots.COUNT, "slice_hist", "slice", "slices on the CPU, by length");

    /** Slots of every metric together: the length of a values array. */
    public static final int SLOTS;

    static {
        int n = 0;
        for (Metric m : values()) {
            n += m.slots;
        }
        SLOTS = n;
    }

    public final Unit unit;
    /** 1 for a counter, the number of buckets for a histogram. */
    public final int slots;
    /** The index of the first slot in a values array. */
    public final int slot;
    /** Its field in JSON rows. */
    public final String json;
    /**
     * Its name in {@code --columns} and the text table's header; a histogram's in {@code --hist};
     * null for one shown in JSON only.
     */
    public final String column;
    public final String description;
    /**
     * For a metric counted per kind, each slot's kind, in slot order (JSON shows them as an
     * object, kind: value); empty for a plain counter.
     */
    public final List<String> kinds;

    Metric(Unit unit, int slots, String json, String column, String description) {
        this(unit, slots, json, column, description, List.of());
    }

    /** A counter per kind, one slot each: JSON only. */
    Metric(Unit unit, List<String> kinds, String json, String description) {
        this(unit, kinds.size(), json, null, description, kinds);
    }

    private Metric(Unit unit, int slots, String json, String column, String description, List<String> kinds) {
        this.unit = unit;
        this.slots = slots;
        this.slot = Layout.take(slots);
        this.json = json;
        this.column = column;
        this.description = description;
        this.kinds = List.copyOf(kinds);
    }

    /** Whether it can be a text column ({@code --columns}). */
    public boolean inText() {
        return column != null && !isHistogram();
    }

    /** The value of the i-th slot (a kind's, for a metric counted per kind). */
    public long of(long[] values, int i) {
        return values[slot + i];
    }

    /** This metric's value in a values array (its first slot). */
    public long of(long[] values) {
        return values[slot];
    }

    /** A histogram: counts per {@link Log2Slots} slot, printed apart from the table's columns. */
    public boolean isHistogram() {
        return unit == Unit.LOG2_US;
    }

    /** This metric's slots in a values array, a copy. */
    public long[] slotsOf(long[] values) {
        return java.util.Arrays.copyOfRange(values, slot, slot + slots);
    }

    /** Hands out slots in declaration order (an enum's constructor cannot use its own statics). */
    private static final class Layout {
        private static int next;

        static int take(int n) {
            int at = next;
            next += n;
            return at;
        }
    }
}
