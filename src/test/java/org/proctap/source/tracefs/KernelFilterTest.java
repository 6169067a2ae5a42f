package org.proctap.source.tracefs;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.proctap.event.SchedRuntime;

import static org.assertj.core.api.Assertions.assertThat;

class KernelFilterTest {
    /** A watched thread renamed away from the name: its new comm goes through until the pid list is in. */
    @Test
    void theCommFiltersCanAlsoLetARenamedTaskThrough() {
        KernelFilter f = new KernelFilter(null, null, List.of(), null, "*ptj_*", List::of, List::of, List::of);
        assertThat(f.filterFor(new EventPlan.Tracepoint("sched", "sched_switch", true)))
                .isEqualTo("prev_comm ~ \"*ptj_*\" || next_comm ~ \"*ptj_*\"");
        assertThat(f.filterFor(new EventPlan.Tracepoint("sched", "sched_switch", true), KernelFilter.literal("burner-1")))
                .isEqualTo("prev_comm ~ \"*ptj_*\" || next_comm ~ \"*ptj_*\" || prev_comm == \"burner-1\" "
                        + "|| next_comm == \"burner-1\"");
        assertThat(f.filterFor(new EventPlan.Tracepoint("sched", "sched_wakeup", true), KernelFilter.literal("a\"b")))
                .isEqualTo("comm ~ \"*ptj_*\" || comm == 'a\"b'");
        assertThat(f.filterFor(new EventPlan.Tracepoint("irq", "softirq_entry", true), KernelFilter.literal("x")))
                .isEqualTo("COMM ~ \"*ptj_*\" || COMM == \"x\"");
        assertThat(KernelFilter.literal("a\"b'c")).as("no quote left for it").isNull();
    }

    @Test
    void chargeFilterNamesEveryComm() {
        assertThat(KernelFilter.chargeFilter(List.of("java", "C2 CompilerThre", "x*[1]")))
                .isEqualTo("comm == \"java\" || comm == \"C2 CompilerThre\" || comm == \"x*[1]\"");
    }

    @Test
    void aCommWithADoubleQuoteIsSingleQuoted() {
        assertThat(KernelFilter.chargeFilter(List.of("a\"b"))).isEqualTo("comm == 'a\"b'");
    }

    @Test
    void noCommsMatchesNoTask() {
        assertThat(KernelFilter.chargeFilter(List.of())).isEqualTo("pid == " + KernelFilter.NO_PID);
    }

    @Test
    void whatCannotBeALiteralLetsEveryChargeThrough() {
        assertThat(KernelFilter.chargeFilter(List.of("ok", "a\"b'c"))).isEqualTo("0");
        assertThat(KernelFilter.chargeFilter(List.of("back\\slash"))).isEqualTo("0");
        assertThat(KernelFilter.chargeFilter(List.of("new\nline"))).isEqualTo("0");
        assertThat(KernelFilter.chargeFilter(List.of(""))).isEqualTo("0");
    }

    @Test
    void aFilterLongerThanTheKernelTakesLetsEveryChargeThrough() {
        List<String> comms = new ArrayList<>();
        for (int i = 0; comms.size() * 26 < KernelFilter.MAX_FILTER; i++) {
            comms.add(String.format("thread-%08d", i));
        }
        assertThat(KernelFilter.chargeFilter(comms.subList(0, comms.size() - 2))).hasSizeLessThanOrEqualTo(KernelFilter.MAX_FILTER);
        assertThat(KernelFilter.chargeFilter(comms)).isEqualTo("0");
    }

    @Test
    void withoutLifeCycleChargesEveryChargeCountsFromTheSchedulingInstance() {
        KernelFilter f = new KernelFilter(null, null, List.of(), null, null, List::of, List::of, List::of);
        assertThat(f.counts(false, new SchedRuntime(10, 0, 7, "a", 7, 100))).isTrue();
        assertThat(f.counts(false, new SchedRuntime(10, 0, 9, "a", 7, 100))).isTrue();
        assertThat(f.counts(true, new SchedRuntime(10, 0, 7, "a", 7, 100))).isFalse();
        assertThat(f.counts(true, new SchedRuntime(10, 0, 9, "a", 7, 100))).isFalse();
    }
}
