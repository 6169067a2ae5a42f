package org.proctap.source.bpf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collection;

import org.proctap.model.Task;
import org.proctap.proc.TaskCounters;
import org.proctap.sys.Errno;
import org.proctap.sys.ErrnoException;
import org.proctap.sys.Pidfd;

/**
 * Gives every task watched at start the switch-out the program would have seen, at the start
 * (struct pt_task_out in proctap.h): its own counters from /proc, its state and CPU. Without it a
 * task asleep at start would have its first wake-up's migration and its sleep up to then
 * charged nowhere. Both maps are written with BPF_NOEXIST: a task the program has already seen
 * switch out since the start keeps what the program wrote.
 */
final class TaskBaselines {
    private TaskBaselines() {
    }

    /** The tasks given a baseline; tasks gone meanwhile are skipped. */
    static int seed(BpfMap taskOuts, BpfMap counts, Collection<Task> tasks, long t0) {
        int seeded = 0;
        for (Task t : tasks) {
            TaskCounters c = TaskCounters.read(t.tgid(), t.tid);
            if (c == null) {
                continue;
            }
            try (Pidfd pidfd = Pidfd.ofThread(t.tid)) {
                if (!insert(taskOuts, BpfSource.le32(pidfd.fd()), taskOut(c, t0))) {
                    continue;
                }
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ESRCH) {
                    continue;
                }
                throw new IllegalStateException(e.getMessage(), e);
            }
            if (!insert(counts, BpfSource.le32(t.tid), openOff(counts, c, t0))) {
                continue; // the program's counters of it, or the map is full (start() has said so)
            }
            seeded++;
        }
        return seeded;
    }

    static byte[] taskOut(TaskCounters c, long t0) {
        byte[] v = new byte[(int) Wire.TASK_OUT.byteSize()];
        MemorySegment m = MemorySegment.ofArray(v);
        m.set(ValueLayout.JAVA_LONG_UNALIGNED, Wire.offset(Wire.TASK_OUT, "ts"), t0);
        m.set(ValueLayout.JAVA_LONG_UNALIGNED, Wire.offset(Wire.TASK_OUT, "run_delay"), c.runDelayNs());
        m.set(ValueLayout.JAVA_LONG_UNALIGNED, Wire.offset(Wire.TASK_OUT, "nvcsw"), c.voluntary());
        m.set(ValueLayout.JAVA_LONG_UNALIGNED, Wire.offset(Wire.TASK_OUT, "nivcsw"), c.nonvoluntary());
        m.set(ValueLayout.JAVA_LONG_UNALIGNED, Wire.offset(Wire.TASK_OUT, "migrations"), c.migrations());
        m.set(ValueLayout.JAVA_INT_UNALIGNED, Wire.offset(Wire.TASK_OUT, "state"), c.stateBits());
        m.set(ValueLayout.JAVA_INT_UNALIGNED, Wire.offset(Wire.TASK_OUT, "cpu"), c.cpu());
        m.set(ValueLayout.JAVA_LONG_UNALIGNED, Wire.offset(Wire.TASK_OUT, "pcount"), c.pcount());
        m.set(ValueLayout.JAVA_LONG_UNALIGNED, Wire.offset(Wire.TASK_OUT, "sum_exec"), c.oncpuNs());
        return v;
    }

    /** Zero counters on every CPU, and "off since t0, in its state" on the CPU it is on. */
    static byte[] openOff(BpfMap counts, TaskCounters c, long t0) {
        return openOff(counts.possibleCpus(), counts.cpuStride(), c.cpu(), c.stateBits(), t0);
    }

    /**
     * The per-CPU value ({@code cpus} values {@code stride} bytes apart) with "off since t0, in
     * {@code state}" on {@code cpu}, and that CPU in the task's CPU mask (struct pt_counts).
     */
    static byte[] openOff(int cpus, int stride, int cpu, int state, long t0) {
        byte[] v = new byte[cpus * stride];
        if (cpu < 0 || cpu >= cpus) {
            return v;
        }
        MemorySegment m = MemorySegment.ofArray(v);
        long base = (long) cpu * stride;
        m.set(ValueLayout.JAVA_LONG_UNALIGNED, base + CountsValue.OFF_SINCE, t0);
        m.set(ValueLayout.JAVA_INT_UNALIGNED, base + CountsValue.OFF_STATE, state);
        m.set(ValueLayout.JAVA_INT_UNALIGNED, base + CountsValue.CPU_SEEN, 1);
        m.set(ValueLayout.JAVA_LONG_UNALIGNED, (long) (cpu / 64) * stride + CountsValue.CPU_MASK, 1L << (cpu % 64));
        return v;
    }

    /** False when the key exists, or the map is full (E2BIG: htab_map_update_elem()). */
    private static boolean insert(BpfMap map, byte[] key, byte[] value) {
        try {
            map.update(key, value, BpfMap.BPF_NOEXIST);
            return true;
        } catch (LibbpfException e) {
            if (e.errno() == Errno.EEXIST || e.errno() == Errno.E2BIG) {
                return false;
            }
            throw e;
        }
    }
}
