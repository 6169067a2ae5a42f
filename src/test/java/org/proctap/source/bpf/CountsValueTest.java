package org.proctap.source.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Metric;

/** The counts map's value size with and without histograms, and how a value is read. */
class CountsValueTest {
    @Test
    void withoutHistogramsNoHistogramSlot() {
        CountsValue v = CountsValue.measuring(Set.of());
        assertThat(v.slots()).isEqualTo(Metric.WAIT_HIST.slot);
        // every other metric is held: the histograms are the last slots
        for (Metric m : Metric.values()) {
            assertThat(m.isHistogram() || m.slot + m.slots <= v.slots()).as(m.name()).isTrue();
        }
        assertThat(v.byteSize()).as("the header, then 35 slots").isEqualTo(56 + 35 * 8);
    }

    @Test
    void eachHistogramUpToTheLastAskedFor() {
        assertThat(CountsValue.measuring(Set.of(Metric.WAIT_HIST)).slots()).isEqualTo(Metric.SLICE_HIST.slot);
        assertThat(CountsValue.measuring(Set.of(Metric.SLICE_HIST)).slots()).isEqualTo(Metric.SLOTS);
        assertThat(CountsValue.measuring(Set.of(Metric.WAIT_HIST, Metric.SLICE_HIST)).byteSize())
                .isEqualTo(Wire.COUNTS.byteSize());
    }

    @Test
    void theSizeOfALoadedMapGivesItsSlots() {
        for (Set<Metric> h : java.util.List.of(Set.<Metric>of(), Set.of(Metric.WAIT_HIST), Set.of(Metric.SLICE_HIST))) {
            CountsValue v = CountsValue.measuring(h);
            assertThat(CountsValue.ofSize(v.byteSize())).isEqualTo(v);
            assertThat(CountsValue.ofSize(v.byteSize() + 4)).as("rounded up to 8").isEqualTo(v);
        }
        assertThat(CountsValue.ofSize(1 << 20)).isEqualTo(CountsValue.ALL);
    }

    @Test
    void theSlotsNotHeldReadAsZero() {
        CountsValue v = CountsValue.measuring(Set.of());
        MemorySegment row = MemorySegment.ofArray(new byte[v.byteSize()]);
        row.set(ValueLayout.JAVA_LONG_UNALIGNED, CountsValue.OFF_SINCE, 77);
        row.set(ValueLayout.JAVA_INT_UNALIGNED, CountsValue.OFF_STATE, 2);
        row.set(ValueLayout.JAVA_LONG_UNALIGNED, CountsValue.HEADER + 8L * Metric.RUNS.slot, 5);
        row.set(ValueLayout.JAVA_LONG_UNALIGNED, CountsValue.HEADER + 8L * (Metric.SOFTIRQ_NS_BY_KIND.slot + 3), 9);
        long[] values = v.values(row);
        assertThat(values).hasSize(Metric.SLOTS);
        assertThat(values[Metric.RUNS.slot]).isEqualTo(5);
        assertThat(values[Metric.SOFTIRQ_NS.slot]).as("the total of the vectors").isEqualTo(9);
        assertThat(Arrays.copyOfRange(values, Metric.WAIT_HIST.slot, Metric.SLOTS)).containsOnly(0L);
        assertThat(CountsValue.offSince(row)).isEqualTo(77);
        assertThat(CountsValue.offState(row)).isEqualTo(2);
    }

    @Test
    void aSeededTaskHasItsCpuInItsMask() {
        int stride = CountsValue.measuring(Set.of()).byteSize();
        MemorySegment v = MemorySegment.ofArray(TaskBaselines.openOff(130, stride, 129, 1, 55));
        long base = 129L * stride;
        assertThat(v.get(ValueLayout.JAVA_LONG_UNALIGNED, base + CountsValue.OFF_SINCE)).isEqualTo(55);
        assertThat(v.get(ValueLayout.JAVA_INT_UNALIGNED, base + CountsValue.CPU_SEEN)).isEqualTo(1);
        // CPU 129 is bit 1 of word 2, which CPU 2's value holds
        assertThat(v.get(ValueLayout.JAVA_LONG_UNALIGNED, 2L * stride + CountsValue.CPU_MASK)).isEqualTo(1L << 1);
        assertThat(v.get(ValueLayout.JAVA_LONG_UNALIGNED, CountsValue.CPU_MASK)).isZero();
    }

    @Test
    void theMapIsSizedForTheThreadsWithinTheMemory() {
        int stride = CountsValue.measuring(Set.of()).byteSize();
        // this machine's kind: 2 CPUs, a few hundred threads, 24 GB
        assertThat(BpfSource.countsEntries(2, 300, stride, 24L << 30, 4 << 20)).isEqualTo(8192);
        // 128 CPUs, 20 000 threads, 256 GB: 30 000 entries, 1.1 GB
        assertThat(BpfSource.countsEntries(128, 20_000, stride, 256L << 30, 4 << 20)).isEqualTo(30_000);
        // the same on 16 GB: 256 MB hold 6 000-odd
        int few = BpfSource.countsEntries(128, 20_000, stride, 16L << 30, 4 << 20);
        assertThat(few).isEqualTo((int) ((256L << 20) / (128L * stride + BpfSource.COUNTS_ELEMENT)));
        assertThat(BpfSource.fullWarning(few, 20_000, 128, stride)).startsWith("proctap: warning: the bpf counters hold "
                + few + " threads").contains("20000 are watched");
        assertThat(BpfSource.fullWarning(30_000, 20_000, 128, stride)).isNull();
        // pid_max bounds it
        assertThat(BpfSource.countsEntries(2, 300, stride, 24L << 30, 4096)).isEqualTo(4096);
    }
}
