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

    private static void row(ByteBuffer b, int tid, int cpu, long oncpu, long offSince, int offState) {
        b.putInt(Wire.REC_ROW).putInt(tid).putInt(cpu).putInt(0);
        long[] v = new long[Metric.SLOTS];
        v[Metric.ONCPU_NS.slot] = oncpu;
        for (long x : v) {
            b.putLong(x);
        }
        b.putLong(offSince).putInt(offState).putInt(0);
    }

    private static final int TASK = (int) Wire.TASK_NOW.byteSize();
    private static final int ROW = (int) (Wire.TASK_ROW.byteSize() + Wire.COUNTS.byteSize());

    @Test
    void aTaskItsRowsAndItsLatestSwitchOut() {
        ByteBuffer b = buffer(TASK + 3 * ROW);
        task(b, 7, 1, Wire.NOW_RUNNABLE | Wire.NOW_QUEUED, 11, 12, 13, 14, 15);
        row(b, 7, 0, 500, 90, 0x1);
        row(b, 7, 1, 600, 120, 0x2); // the later switch-out: from CPU 1
        row(b, 9, 1, 0, 0, 0);        // nothing counted: no row
        TaskRecords r = TaskRecords.parse(b.array());
        assertThat(r.now()).containsExactly(Map.entry(7, new TaskNow(7, 1, true, true, 11, 12, 13, 14, 15)));
        assertThat(r.counts()).containsOnlyKeys(7L << 32, (7L << 32) | 1);
        assertThat(r.counts().get((7L << 32) | 1)[Metric.ONCPU_NS.slot]).isEqualTo(600);
        assertThat(r.open()).containsExactly(Map.entry(7, new OpenTime.Off(1, 120, 0x2)));
    }

    @Test
    void nothingIsNothing() {
        TaskRecords r = TaskRecords.parse(new byte[0]);
        assertThat(r.now()).isEmpty();
        assertThat(r.counts()).isEmpty();
    }

    @Test
    void aCutRecordOrAnUnknownKindIsAReaderOutOfStepWithTheProgram() {
        ByteBuffer b = buffer(TASK);
        task(b, 7, 1, 0, 1, 2, 3, 4, 5);
        byte[] cut = java.util.Arrays.copyOf(b.array(), TASK - 1);
        assertThatThrownBy(() -> TaskRecords.parse(cut)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("kind 1 at byte 0");
        byte[] odd = b.array().clone();
        odd[0] = 9;
        assertThatThrownBy(() -> TaskRecords.parse(odd)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("kind 9");
    }
}
