package org.proctap.source.bpf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.proctap.model.Proc;
import org.proctap.model.Task;
import org.proctap.model.TaskRegistry;
import org.proctap.proc.ProcFs;

/**
 * The counts map's housekeeping under process churn. A task that exited keeps its entry until its
 * last switch-out is charged (a dying task can still be preempted and run again); then its final
 * counters are read into {@link RetiredRows}, for the next table, and the entry is deleted. The
 * entries of tasks that turned out not to be watched (--regex: counted from their exec until user
 * space judged the name) are deleted once no CPU is charging them. A pass runs about every second
 * whatever the tables' interval, and touches no table's baseline: a table sees an exited task's
 * totals once, final, as it would have read them from the map.
 */
final class ExitedTasks {
    /** Passes after the exit after which a task not on any CPU is taken as final without a TASK_DEAD switch-out. */
    static final int FALLBACK_PASSES = 3;
    /** Passes after the exit after which a task with no counters at all is forgotten. */
    static final int EMPTY_PASSES = 2;

    /** Exited watched tasks not yet folded, by the pass index at their exit event. */
    private final Map<Integer, Integer> exitedAt = new HashMap<>();
    /** Tasks whose counters are nobody's (see the class comment). */
    private final Set<Integer> discard = new HashSet<>();
    private final RetiredRows retired = new RetiredRows();
    private int passes;

    void exited(int tid) {
        exitedAt.put(tid, passes);
        discard.remove(tid);
    }

    void discard(int tid) {
        if (!exitedAt.containsKey(tid)) {
            discard.add(tid);
        }
    }

    /** The exited tasks whose counters are still in the map (a table reads them there). */
    Set<Integer> inMap() {
        return exitedAt.keySet();
    }

    /** How many entries of the map this bookkeeping expects to delete. */
    int pending() {
        return exitedAt.size() + discard.size();
    }

    RetiredRows retired() {
        return retired;
    }

    /**
     * Whether a task's counters, one struct pt_counts per CPU ({@code stride} bytes apart), are
     * final: the latest switch-out they hold (off_since) is the task's last, in TASK_DEAD
     * (do_task_dead(), kernel/sched/core.c: sched_switch's prev_state).
     */
    static boolean dead(MemorySegment perCpu, int ncpu, long stride) {
        long latest = 0;
        int state = 0;
        for (int cpu = 0; cpu < ncpu; cpu++) {
            long base = cpu * stride;
            long since = perCpu.get(ValueLayout.JAVA_LONG_UNALIGNED, base + CountsValue.OFF_SINCE);
            if (since > latest) {
                latest = since;
                state = perCpu.get(ValueLayout.JAVA_INT_UNALIGNED, base + CountsValue.OFF_STATE);
            }
        }
        return latest != 0 && (state & OpenTime.TASK_DEAD) != 0;
    }

    /**
     * One pass: folds the exited tasks whose counters are final, deletes the entries nobody
     * needs. {@code onCpu}: the tasks cpu_state shows running watched on some CPU (the program
     * may still charge them).
     */
    void sweep(BpfMap counts, CountsValue layout, BpfMap procs, int ncpu, TaskRegistry registry, Set<Integer> onCpu) {
        passes++;
        var it = exitedAt.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            int tid = e.getKey();
            int age = passes - e.getValue();
            if (onCpu.contains(tid)) {
                continue;
            }
            Optional<byte[]> value = counts.lookup(BpfSource.le32(tid));
            if (value.isEmpty() ? age < EMPTY_PASSES
                    : !dead(MemorySegment.ofArray(value.get()), ncpu, counts.cpuStride()) && age < FALLBACK_PASSES) {
                continue;
            }
            Task t = registry.task(tid);
            value.ifPresent(v -> fold(t, tid, MemorySegment.ofArray(v), ncpu, counts.cpuStride(), layout));
            counts.delete(BpfSource.le32(tid));
            if (t != null && t.exited) {
                Proc p = t.proc;
                registry.retire(t);
                if (p.liveTasks <= 0 && registry.proc(p.tgid) == null) {
                    procs.delete(BpfSource.le32(p.tgid));
                }
            }
            it.remove();
        }
        var d = discard.iterator();
        while (d.hasNext()) {
            int tid = d.next();
            Task t = registry.task(tid);
            if (t != null && t.watched() && !t.exited) {
                d.remove(); // judged again since (an exec into a match): its counters are its own now
            } else if (!onCpu.contains(tid)) {
                counts.delete(BpfSource.le32(tid));
                retired.retire(t != null ? t.incarnation : -tid);
                d.remove();
            }
        }
    }

    private void fold(Task t, int tid, MemorySegment perCpu, int ncpu, long stride, CountsValue layout) {
        int tgid = t != null ? t.tgid() : Math.max(ProcFs.tgidOf(tid), tid);
        String comm = t != null ? t.comm : ProcFs.commOf(tgid, tid);
        long incarnation = t != null ? t.incarnation : -tid;
        retired.retire(incarnation);
        for (int cpu = 0; cpu < ncpu; cpu++) {
            long[] values = layout.values(perCpu.asSlice(cpu * stride, layout.byteSize()));
            retired.add(cpu, tid, incarnation, tgid, comm, t != null ? t.proc.cgroup : null, values);
        }
    }
}
