package org.proctap.source.bpf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

import org.proctap.metric.Values;

/**
 * One read of the task iterator pt_tasks (struct pt_task_now, struct pt_task_row): what the
 * kernel said of each watched task, its counters by (tid << 32 | cpu), and each task's latest
 * switch-out whose time off is not yet charged (see struct pt_counts), all of one moment per task.
 * {@code value}: the counts map's value, which each row carries.
 */
record TaskRecords(CountsValue value, Map<Integer, TaskNow> now, Map<Long, long[]> counts,
        Map<Integer, OpenTime.Off> open) {

    static TaskRecords empty(CountsValue value) {
        return new TaskRecords(value, new HashMap<>(), new HashMap<>(), new HashMap<>());
    }

    /**
     * Parses the iterator's output. A record of an unknown kind, or one cut short, is a program
     * and reader out of step: IllegalStateException.
     */
    static TaskRecords parse(byte[] bytes, CountsValue value) {
        TaskRecords out = empty(value);
        MemorySegment all = MemorySegment.ofArray(bytes);
        long at = 0;
        long taskSize = Wire.TASK_NOW.byteSize();
        long rowSize = Wire.TASK_ROW.byteSize() + value.byteSize();
        while (at < all.byteSize()) {
            int kind = all.get(ValueLayout.JAVA_INT_UNALIGNED, at);
            long size = kind == Wire.REC_TASK ? taskSize : kind == Wire.REC_ROW ? rowSize : -1;
            if (size < 0 || at + size > all.byteSize()) {
                throw new IllegalStateException("pt_tasks record of kind " + kind + " at byte " + at + " of "
                        + all.byteSize() + " does not parse");
            }
            MemorySegment r = all.asSlice(at, size);
            if (kind == Wire.REC_TASK) {
                int flags = Wire.i32(r, Wire.TASK_NOW, "flags");
                TaskNow t = new TaskNow(Wire.i32(r, Wire.TASK_NOW, "tid"), Wire.i32(r, Wire.TASK_NOW, "cpu"),
                        (flags & Wire.NOW_RUNNABLE) != 0, (flags & Wire.NOW_QUEUED) != 0,
                        Wire.i64(r, Wire.TASK_NOW, "seen"), Wire.i64(r, Wire.TASK_NOW, "out_ts"),
                        Wire.i64(r, Wire.TASK_NOW, "waited"), Wire.i64(r, Wire.TASK_NOW, "wait_from"),
                        Wire.i64(r, Wire.TASK_NOW, "running_from"));
                out.now.put(t.tid(), t);
            } else {
                out.add(Wire.i32(r, Wire.TASK_ROW, "tid"), Wire.i32(r, Wire.TASK_ROW, "cpu"),
                        r.asSlice(Wire.TASK_ROW.byteSize(), value.byteSize()));
            }
            at += size;
        }
        return out;
    }

    /** Adds one CPU's struct pt_counts of a task ({@link #value} bytes). */
    void add(int tid, int cpu, MemorySegment row) {
        long[] values = value.values(row);
        long since = CountsValue.offSince(row);
        if (since != 0) {
            OpenTime.Off o = open.get(tid);
            if (o == null || o.since() < since) {
                open.put(tid, new OpenTime.Off(cpu, since, CountsValue.offState(row)));
            }
        }
        if (!Values.isZero(values)) {
            counts.put(((long) tid << 32) | cpu, values);
        }
    }
}
