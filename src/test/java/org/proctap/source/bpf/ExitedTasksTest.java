package org.proctap.source.bpf;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Metric;
import org.proctap.report.CpuTaskCounters;

import static org.assertj.core.api.Assertions.assertThat;

/** The housekeeping's rules, on struct pt_counts values laid out by hand as proctap.h says. */
class ExitedTasksTest {
    private static final int STRIDE = (int) Wire.COUNTS.byteSize(); // (8-byte aligned: the kernel's per-CPU stride)

    /** One task's counters on two CPUs: on-CPU time, and the switch-out each CPU saw last. */
    private static MemorySegment twoCpus(long offSince0, int offState0, long offSince1, int offState1) {
        ByteBuffer b = ByteBuffer.allocate(2 * STRIDE).order(ByteOrder.nativeOrder());
        long[][] cpus = {{offSince0, offState0}, {offSince1, offState1}};
        for (int cpu = 0; cpu < 2; cpu++) {
            int base = cpu * STRIDE;
            b.putLong(base + (int) CountsValue.OFF_SINCE, cpus[cpu][0]);
            b.putInt(base + (int) CountsValue.OFF_STATE, (int) cpus[cpu][1]);
            b.putLong(base + (int) CountsValue.HEADER + Metric.ONCPU_NS.slot * Long.BYTES, 1000);
        }
        return MemorySegment.ofArray(b.array());
    }

    @Test
    void finalOnceItsLatestSwitchOutIsInTaskDead() {
        assertThat(ExitedTasks.dead(twoCpus(100, 0x1, 200, OpenTime.TASK_DEAD), 2, STRIDE)).isTrue();
        assertThat(ExitedTasks.dead(twoCpus(300, OpenTime.TASK_DEAD, 200, 0x1), 2, STRIDE)).isTrue();
    }

    @Test
    void notFinalWhileItsLatestSwitchOutIsAnother() {
        assertThat(ExitedTasks.dead(twoCpus(300, 0, 200, OpenTime.TASK_DEAD), 2, STRIDE))
                .as("a later switch-out than the TASK_DEAD one: not the last").isFalse();
        assertThat(ExitedTasks.dead(twoCpus(100, 0x1, 200, 0), 2, STRIDE)).as("preempted in its exit path").isFalse();
        assertThat(ExitedTasks.dead(twoCpus(0, 0, 0, 0), 2, STRIDE)).as("no switch-out seen").isFalse();
    }

    @Test
    void retiredRowsKeepTheSlotsThatAreNotZeroAndAreShownOnce() {
        RetiredRows r = new RetiredRows();
        long[] v = new long[Metric.SLOTS];
        v[Metric.RUNS.slot] = 3;
        v[Metric.ONCPU_NS.slot] = 123_456_789_012L;
        v[Metric.SLOTS - 1] = -1; // a full 64-bit value in the last slot
        r.add(1, 42, 7, 40, "ptsoak_true", "/cg", v);
        r.add(0, 42, 7, 40, "ptsoak_true", "/cg", new long[Metric.SLOTS]); // nothing on CPU 0: no row
        r.retire(7);
        r.retire(-99); // an entry deleted with nothing to show (no row)
        assertThat(r.size()).isOne();
        Map<Integer, String> cgroups = new HashMap<>();
        Set<Long> retired = new HashSet<>();
        List<CpuTaskCounters> rows = r.drain(cgroups, retired);
        assertThat(rows).containsExactly(new CpuTaskCounters(1, 42, 7, 40, "ptsoak_true", v));
        assertThat(rows.getFirst().values()).containsExactly(v);
        assertThat(cgroups).as("the cgroup its process was in, for --cgroup").containsExactly(Map.entry(40, "/cg"));
        assertThat(retired).as("the incarnations never shown again").containsExactlyInAnyOrder(7L, -99L);
        retired.clear();
        assertThat(r.drain(cgroups, retired)).as("a second table").isEmpty();
        assertThat(retired).isEmpty();
    }
}
