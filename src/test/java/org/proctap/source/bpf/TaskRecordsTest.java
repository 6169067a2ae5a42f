package org.proctap.source.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The task iterator's output, from hand-written bytes laid out as proctap.h says. */
class TaskRecordsTest {
    private static ByteBuffer buffer(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.nativeOrder());
    }

    private static void task(ByteBuffer b, int tid, int cpu, int flags, long... u64s) {
        b.putInt(Wire.REC_TASK).putInt(tid).putInt(cpu).putInt(flags);
        for (long v : u64s) {
            b.putLong(v);
        }
    }

    /** A row of a map holding {@code slots} slots: header (off_since, off_state, cpu_seen, cpu_mask, dirty, taken, taken_prev, read_gen, marked_gen), v[]. */
    private static void row(ByteBuffer b, int slots, int tid, int cpu, long oncpu, long offSince, int offState) {
        b.putInt(Wire.REC_ROW).putInt(tid).putInt(cpu).putInt(0);
        b.putLong(offSince).putInt(offState).putInt(1).putLong(1L << cpu).putLong(0).putLong(1L << cpu).putLong(0).putInt(1).putInt(1);
        long[] v = new long[slots];
        v[Metric.ONCPU_NS.slot] = oncpu;
        if (slots > Metric.WAIT_HIST.slot && oncpu != 0) {
            v[Metric.WAIT_HIST.slot + 3] = 42;
        }
        for (long x : v) {
            b.putLong(x);
        }
    }

    private static void row(ByteBuffer b, int tid, int cpu, long oncpu, long offSince, int offState) {
        row(b, Metric.SLOTS, tid, cpu, oncpu, offSince, offState);
    }

    private static final int TASK = (int) Wire.TASK_NOW.byteSize();
    private static final int ROW = (int) (Wire.TASK_ROW.byteSize() + Wire.COUNTS.byteSize());
    private static final CountsValue NO_HIST = CountsValue.measuring(java.util.Set.of());

    @Test
    void aTaskItsRowsAndItsLatestSwitchOut() {
        ByteBuffer b = buffer(TASK + 3 * ROW);
        task(b, 7, 1, Wire.NOW_RUNNABLE | Wire.NOW_QUEUED, 11, 12, 13, 14, 15);
        row(b, 7, 0, 500, 90, 0x1);
        row(b, 7, 1, 600, 120, 0x2); // the later switch-out: from CPU 1
        row(b, 9, 1, 0, 0, 0);        // nothing counted: no row
        TaskRecords r = TaskRecords.parse(b.array(), CountsValue.ALL);
        assertThat(r.now()).containsExactly(Map.entry(7, new TaskNow(7, 1, true, true, 11, 12, 13, 14, 15)));
        assertThat(r.counts()).containsOnlyKeys(7L << 32, (7L << 32) | 1);
        assertThat(r.counts().get((7L << 32) | 1)[Metric.ONCPU_NS.slot]).isEqualTo(600);
        assertThat(r.open()).containsExactly(Map.entry(7, new OpenTime.Off(1, 120, 0x2)));
    }

    @Test
    void withHistogramsTheRowsCarryThem() {
        ByteBuffer b = buffer(TASK + ROW);
        task(b, 7, 0, 0, 1, 2, 3, 4, 5);
        row(b, 7, 0, 500, 0, 0);
        TaskRecords r = TaskRecords.parse(b.array(), CountsValue.ALL);
        assertThat(r.counts().get(7L << 32)[Metric.WAIT_HIST.slot + 3]).isEqualTo(42);
    }

    @Test
    void withoutHistogramsTheRowsAreShorterAndTheirHistogramsZero() {
        int row = (int) Wire.TASK_ROW.byteSize() + NO_HIST.byteSize();
        ByteBuffer b = buffer(TASK + 2 * row);
        task(b, 7, 1, 0, 1, 2, 3, 4, 5);
        row(b, NO_HIST.slots(), 7, 0, 500, 90, 0x1);
        row(b, NO_HIST.slots(), 7, 1, 600, 120, 0x2);
        TaskRecords r = TaskRecords.parse(b.array(), NO_HIST);
        assertThat(r.counts()).containsOnlyKeys(7L << 32, (7L << 32) | 1);
        long[] v = r.counts().get((7L << 32) | 1);
        assertThat(v).hasSize(Metric.SLOTS);
        assertThat(v[Metric.ONCPU_NS.slot]).isEqualTo(600);
        assertThat(java.util.Arrays.copyOfRange(v, Metric.WAIT_HIST.slot, Metric.SLOTS)).containsOnly(0L);
        assertThat(r.open()).containsExactly(Map.entry(7, new OpenTime.Off(1, 120, 0x2)));
        // read as if the rows held every slot, the second would be cut
        assertThatThrownBy(() -> TaskRecords.parse(b.array(), CountsValue.ALL)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void nothingIsNothing() {
        TaskRecords r = TaskRecords.parse(new byte[0], CountsValue.ALL);
        assertThat(r.now()).isEmpty();
        assertThat(r.counts()).isEmpty();
    }

    @Test
    void aCutRecordOrAnUnknownKindIsAReaderOutOfStepWithTheProgram() {
        ByteBuffer b = buffer(TASK);
        task(b, 7, 1, 0, 1, 2, 3, 4, 5);
        byte[] cut = java.util.Arrays.copyOf(b.array(), TASK - 1);
        assertThatThrownBy(() -> TaskRecords.parse(cut, CountsValue.ALL)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("kind 1 at byte 0");
        byte[] odd = b.array().clone();
        odd[0] = 9;
        assertThatThrownBy(() -> TaskRecords.parse(odd, CountsValue.ALL)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("kind 9");
    }
}
