package org.proctap.source.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

import org.proctap.metric.Metric;

/**
 * The Java half of src/main/bpf/proctap.h, the whole contract with the BPF program. Each layout
 * mirrors one C struct field by field; WireLayoutTest compiles the header with gcc and checks
 * every size and offset against these. Change both together.
 */
public final class Wire {
    private Wire() {
    }

    public static final int COMM_LEN = 16;
    public static final int PATH_LEN = 4096;

    public static final int PROC_WATCHED = 1;
    public static final int PROC_PINNED = 2;
    public static final int PROC_UNDECIDED = 4;

    public static final int CPU_KNOWN = 1;
    public static final int CPU_WATCHED = 2;

    public static final int MATCH_NONE = 0;
    public static final int MATCH_SUBSTRING = 1;
    public static final int MATCH_EXACT = 2;
    public static final int MATCH_USER = 3;
    public static final int MATCH_CGROUP = 4;

    public static final int EV_EXEC = 1;
    public static final int EV_FORK = 2;
    public static final int EV_EXIT = 3;
    public static final int EV_RENAME = 4;
    public static final int EV_CGROUP = 5;
    public static final int CGROUP_PATH_LEN = 1024;

    public static final int STAT_RINGBUF_DROPS = 0;
    public static final int STAT_COUNTS_FULL = 1;
    public static final int STAT_REPAIRS = 2;
    public static final int STAT_REPAIRED_NS = 3;
    public static final int STAT_MAX = 4;

    public static final int HIST_SLOTS = 27;
    public static final int HIST_WAIT = 1;
    public static final int HIST_SLICE = 2;

    private static final ValueLayout.OfInt U32 = JAVA_INT;
    private static final ValueLayout.OfLong U64 = JAVA_LONG;

    private static MemoryLayout comm(String name) {
        return MemoryLayout.sequenceLayout(COMM_LEN, ValueLayout.JAVA_BYTE).withName(name);
    }

    public static final StructLayout PROC = MemoryLayout.structLayout(
            U32.withName("flags"), U32.withName("pad"), U64.withName("joined")).withName("pt_proc");

    /**
     * The open time off and the CPU mask, then every metric's slots in schema order
     * (org.proctap.metric.Metric); the map holds a prefix of it (see {@link CountsValue}).
     */
    public static final StructLayout COUNTS = MemoryLayout.structLayout(
            U64.withName("off_since"), U32.withName("off_state"), U32.withName("cpu_seen"), U64.withName("cpu_mask"),
            U64.withName("dirty"), U64.withName("taken"), U64.withName("taken_prev"), U32.withName("read_gen"),
            U32.withName("marked_gen"),
            MemoryLayout.sequenceLayout(Metric.SLOTS, U64).withName("v")).withName("pt_counts");

    public static final int ITER_CHANGED = 0;
    public static final int ITER_ALL = 1;
    public static final int ITER_TASKS = 2;

    /** How the next read of the task iterator goes. */
    public static final StructLayout ITER_CTL = MemoryLayout.structLayout(
            U32.withName("mode"), U32.withName("pad"), U64.withName("gen")).withName("pt_iter_ctl");

    public static final StructLayout TASK_OUT = MemoryLayout.structLayout(
            U64.withName("ts"), U64.withName("run_delay"), U64.withName("nvcsw"), U64.withName("nivcsw"),
            U64.withName("migrations"), U32.withName("state"), U32.withName("cpu"), U64.withName("pcount"),
            U64.withName("sum_exec"))
            .withName("pt_task_out");

    public static final int NOW_RUNNABLE = 1;
    public static final int NOW_QUEUED = 2;

    public static final int REC_TASK = 1;
    public static final int REC_ROW = 2;
    public static final int MAX_CPUS = 256;

    /** The task iterator pt_tasks's record of a task... */
    public static final StructLayout TASK_NOW = MemoryLayout.structLayout(
            U32.withName("kind"), U32.withName("tid"), U32.withName("cpu"), U32.withName("flags"),
            U64.withName("seen"), U64.withName("out_ts"), U64.withName("waited"), U64.withName("wait_from"),
            U64.withName("running_from")).withName("pt_task_now");

    /** ... and of one CPU's counters of it, followed by that struct pt_counts. */
    public static final StructLayout TASK_ROW = MemoryLayout.structLayout(
            U32.withName("kind"), U32.withName("tid"), U32.withName("cpu"), U32.withName("pad"))
            .withName("pt_task_row");

    public static final StructLayout CONFIG = MemoryLayout.structLayout(
            U32.withName("match_mode"), U32.withName("needle_len"), U32.withName("follow"),
            U32.withName("read_syscall_nr"), comm("needle"), U32.withName("hist"), U32.withName("cpus"),
            U32.withName("cgroup_level"), U32.withName("counts_size"), U64.withName("cgroup_id"))
            .withName("pt_config");

    public static final StructLayout CPU_STATE = MemoryLayout.structLayout(
            U32.withName("cur_pid"), U32.withName("cur_tgid"), U32.withName("flags"), U32.withName("run_pending"),
            U64.withName("since"), U64.withName("evidence"), U64.withName("timer_start"), U32.withName("seq"),
            U32.withName("pad")).withName("pt_cpu_state");

    public static final StructLayout EVENT_HDR = MemoryLayout.structLayout(
            U32.withName("type"), U32.withName("cpu"), U64.withName("ts"), U32.withName("pid"), U32.withName("tgid"),
            comm("comm")).withName("pt_event_hdr");

    public static final StructLayout EXEC_EVENT = MemoryLayout.structLayout(
            EVENT_HDR.withName("hdr"), U32.withName("old_pid"), JAVA_INT.withName("syscall_nr"),
            U32.withName("was_watched"), U32.withName("now_watched"),
            MemoryLayout.sequenceLayout(PATH_LEN, ValueLayout.JAVA_BYTE).withName("filename")).withName("pt_exec_event");

    public static final StructLayout FORK_EVENT = MemoryLayout.structLayout(
            EVENT_HDR.withName("hdr"), U32.withName("child_pid"), U32.withName("child_tgid"),
            U64.withName("clone_flags"), JAVA_INT.withName("syscall_nr"), U32.withName("child_watched"),
            comm("child_comm")).withName("pt_fork_event");

    public static final StructLayout EXIT_EVENT = MemoryLayout.structLayout(
            EVENT_HDR.withName("hdr"), JAVA_INT.withName("wait_status"), U32.withName("group_dead"))
            .withName("pt_exit_event");

    public static final StructLayout RENAME_EVENT = MemoryLayout.structLayout(
            EVENT_HDR.withName("hdr"), U32.withName("is_leader"), U32.withName("now_watched"))
            .withName("pt_rename_event");

    public static final StructLayout CGROUP_EVENT = MemoryLayout.structLayout(
            EVENT_HDR.withName("hdr"), U32.withName("was_watched"), U32.withName("now_watched"),
            MemoryLayout.sequenceLayout(CGROUP_PATH_LEN, ValueLayout.JAVA_BYTE).withName("path"))
            .withName("pt_cgroup_event");

    /**
     * Each layout's field offsets by name, by layout identity (a layout's own hashCode walks all
     * its members); copied on write, so that reads take no lock.
     */
    private static volatile Map<StructLayout, Map<String, Long>> offsets = new IdentityHashMap<>();

    private static synchronized long remember(StructLayout layout, String field) {
        long at = layout.byteOffset(groupElement(field));
        Map<StructLayout, Map<String, Long>> copy = new IdentityHashMap<>(offsets);
        Map<String, Long> fields = new HashMap<>(copy.getOrDefault(layout, Map.of()));
        fields.put(field, at);
        copy.put(layout, fields);
        offsets = copy;
        return at;
    }

    /** Offset of a (possibly nested: "hdr", "pid") field of a layout. */
    public static long offset(StructLayout layout, String... path) {
        if (path.length == 1) {
            // (a layout path costs more than the read it locates; reads of records by the
            // thousand per table go through here)
            Map<String, Long> fields = offsets.get(layout);
            Long at = fields != null ? fields.get(path[0]) : null;
            return at != null ? at : remember(layout, path[0]);
        }
        MemoryLayout.PathElement[] elements = new MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = groupElement(path[i]);
        }
        return layout.byteOffset(elements);
    }

    /** Reads a u32/s32 field. */
    public static int i32(MemorySegment s, StructLayout layout, String... path) {
        return s.get(ValueLayout.JAVA_INT_UNALIGNED, offset(layout, path));
    }

    public static long i64(MemorySegment s, StructLayout layout, String... path) {
        return s.get(ValueLayout.JAVA_LONG_UNALIGNED, offset(layout, path));
    }

    /** A NUL-terminated char array field. */
    public static String string(MemorySegment s, StructLayout layout, int max, String... path) {
        long at = offset(layout, path);
        int len = 0;
        long limit = Math.min(max, s.byteSize() - at);
        while (len < limit && s.get(ValueLayout.JAVA_BYTE, at + len) != 0) {
            len++;
        }
        byte[] bytes = s.asSlice(at, len).toArray(ValueLayout.JAVA_BYTE);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
