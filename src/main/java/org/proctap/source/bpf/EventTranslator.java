package org.proctap.source.bpf;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

import org.proctap.event.SyscallEnter.Syscall;
import org.proctap.model.Proc;
import org.proctap.model.TargetSpec;
import org.proctap.model.Task;
import org.proctap.model.TaskRegistry;
import org.proctap.proc.CgroupFs;
import org.proctap.proc.ProcFs;
import org.proctap.report.ExecReport;
import org.proctap.report.ExitReport;
import org.proctap.report.ExitStatus;
import org.proctap.report.ForkReport;
import org.proctap.report.Report;
import org.proctap.stats.ForkKind;

/**
 * Turns the BPF program's ring-buffer records into live reports, and keeps the user-space task
 * registry (names and process ids for the tables) in step with what the kernel decided.
 */
final class EventTranslator {
    /** Tells the kernel to (stop) watch a process, for --regex which only user space can match. */
    interface UserWatch {
        void set(int tgid, boolean watched);
    }

    private final TaskRegistry registry;
    private final Consumer<Report> reports;
    private final UserWatch userWatch;
    private final ExitedTasks exited;
    /** --cgroup: tasks of processes that left the cgroup, by the snapshot index then (see BpfSource). */
    private final Map<Integer, Integer> leftAt;
    private final IntSupplier snapshotIndex;
    private final boolean userMatching;

    EventTranslator(TaskRegistry registry, Consumer<Report> reports, UserWatch userWatch, ExitedTasks exited,
                    Map<Integer, Integer> leftAt, IntSupplier snapshotIndex) {
        this.leftAt = leftAt;
        this.registry = registry;
        this.reports = reports;
        this.userWatch = userWatch;
        this.exited = exited;
        this.snapshotIndex = snapshotIndex;
        TargetSpec spec = registry.spec();
        this.userMatching = spec.mode() == TargetSpec.Mode.NAME
                && spec.matcher() instanceof org.proctap.model.NameMatcher.Regex;
    }

    void onRecord(MemorySegment r) {
        switch (Wire.i32(r, Wire.EVENT_HDR, "type")) {
            case Wire.EV_EXEC -> exec(r);
            case Wire.EV_FORK -> fork(r);
            case Wire.EV_EXIT -> exit(r);
            case Wire.EV_RENAME -> rename(r);
            case Wire.EV_CGROUP -> cgroup(r);
            default -> throw new IllegalStateException("unknown ring buffer record type "
                    + Wire.i32(r, Wire.EVENT_HDR, "type"));
        }
    }

    private static long ts(MemorySegment r, java.lang.foreign.StructLayout layout) {
        return Wire.i64(r, layout, "hdr", "ts");
    }

    private static int hdr(MemorySegment r, java.lang.foreign.StructLayout layout, String field) {
        return Wire.i32(r, layout, "hdr", field);
    }

    private void exec(MemorySegment r) {
        var L = Wire.EXEC_EVENT;
        int pid = hdr(r, L, "pid");
        int tgid = hdr(r, L, "tgid");
        String comm = Wire.string(r, L, Wire.COMM_LEN, "hdr", "comm");
        int oldPid = Wire.i32(r, L, "old_pid");
        boolean was = Wire.i32(r, L, "was_watched") != 0;
        boolean now = Wire.i32(r, L, "now_watched") != 0;
        String filename = Wire.string(r, L, Wire.PATH_LEN, "filename");
        Task before = registry.task(registry.task(oldPid) != null ? oldPid : pid);
        Task after = registry.onExec(pid, oldPid, comm);
        if (userMatching) {
            was = before != null && before.watched(); // (the program's word counts an unjudged process)
            // the program counts every exec'd process until judged here (PT_PROC_UNDECIDED): a
            // match is shown from the exec on; the counters of any other are nobody's, but those
            // of one watched before its exec, which are read until forgotten
            boolean decided = after != null && after.watched();
            userWatch.set(tgid, decided);
            if (!decided && was) {
                leftAt.put(pid, snapshotIndex.getAsInt());
            } else if (!decided) {
                exited.discard(pid);
            }
            now = decided;
        }
        if (!was && !now) {
            return;
        }
        reports.accept(new ExecReport(ts(r, L), hdr(r, L, "cpu"), pid, tgid, oldPid, filename,
                syscallName(Wire.i32(r, L, "syscall_nr")), comm));
    }

    private void fork(MemorySegment r) {
        var L = Wire.FORK_EVENT;
        int pid = hdr(r, L, "pid");
        int tgid = hdr(r, L, "tgid");
        int childPid = Wire.i32(r, L, "child_pid");
        int childTgid = Wire.i32(r, L, "child_tgid");
        long flags = Wire.i64(r, L, "clone_flags");
        String childComm = Wire.string(r, L, Wire.COMM_LEN, "child_comm");
        boolean thread = childTgid == tgid;
        Task parent = registry.task(pid);
        Proc parentProc = parent != null ? parent.proc : registry.proc(tgid);
        if (userMatching && (parentProc == null || !parentProc.watched)) {
            // forked by a process the program counted before user space judged it no match (see
            // exec): the child inherited that, and is nobody's either
            if (!thread) {
                userWatch.set(childTgid, false);
            }
            exited.discard(childPid);
            return;
        }
        if (parent == null) {
            Proc p = registry.proc(tgid);
            if (p == null) {
                p = registry.addProcess(tgid, Wire.string(r, L, Wire.COMM_LEN, "hdr", "comm"), false);
            }
            parent = registry.addTask(p, pid, Wire.string(r, L, Wire.COMM_LEN, "hdr", "comm"));
        }
        Task child = registry.onNewTask(pid, childPid, thread, childComm);
        if (userMatching && !thread && child != null && child.watched()) {
            userWatch.set(childTgid, true); // (a fork before its parent was judged copied PT_PROC_UNDECIDED)
        }
        if (registry.spec().mode() == TargetSpec.Mode.CGROUP && child != null && !thread) {
            // the kernel's word: a clone3(CLONE_INTO_CGROUP) child starts in another cgroup
            boolean inside = Wire.i32(r, L, "child_watched") != 0;
            if (child.watched() != inside) {
                registry.onCgroupMove(childTgid, childComm, inside, CgroupFs.cgroupOf(childTgid, childPid));
            }
            if (!parent.watched()) {
                return; // (forked from outside into the cgroup: its own events follow)
            }
        }
        Syscall syscall = syscall(Wire.i32(r, L, "syscall_nr"));
        reports.accept(new ForkReport(ts(r, L), hdr(r, L, "cpu"), pid, tgid, parent.comm, childPid, childTgid, childComm,
                ForkKind.classify(syscall, flags), syscall != null ? syscall.syscallName() : null, thread, flags));
    }

    private void exit(MemorySegment r) {
        var L = Wire.EXIT_EVENT;
        int pid = hdr(r, L, "pid");
        int tgid = hdr(r, L, "tgid");
        boolean groupDead = Wire.i32(r, L, "group_dead") != 0;
        Task t = registry.onExit(pid);
        if (userMatching && t == null) {
            exited.discard(pid); // counted before it was judged no match (see exec)
            return;
        }
        exited.exited(pid);
        if (!groupDead || userMatching && !t.watched()) {
            return;
        }
        String name = t != null ? t.proc.name : Wire.string(r, L, Wire.COMM_LEN, "hdr", "comm");
        reports.accept(new ExitReport(ts(r, L), hdr(r, L, "cpu"), pid, tgid, name,
                ExitStatus.fromWaitStatus(Wire.i32(r, L, "wait_status"))));
    }

    private void rename(MemorySegment r) {
        var L = Wire.RENAME_EVENT;
        int pid = hdr(r, L, "pid");
        int tgid = hdr(r, L, "tgid");
        String comm = Wire.string(r, L, Wire.COMM_LEN, "hdr", "comm");
        boolean leader = Wire.i32(r, L, "is_leader") != 0;
        boolean now = Wire.i32(r, L, "now_watched") != 0;
        if (registry.task(pid) == null && leader && (now && !userMatching || registry.nameMatches(comm))) {
            Proc p = registry.addProcess(tgid, comm, false);
            registry.addTask(p, pid, comm);
        } else {
            registry.onRename(pid, comm);
        }
        if (userMatching && leader) {
            Proc p = registry.proc(tgid);
            boolean decided = p != null && p.watched;
            if (decided != now) {
                userWatch.set(tgid, decided);
            }
        }
    }

    /**
     * --cgroup: a process moved into, out of or within the cgroup. One that joins is registered
     * with its threads; the tasks of one that leaves are read two more snapshots (their last
     * slice inside is charged at their next switch-out) and then forgotten, so that one coming
     * back later starts again from zero.
     */
    private void cgroup(MemorySegment r) {
        var L = Wire.CGROUP_EVENT;
        int tgid = hdr(r, L, "tgid");
        boolean now = Wire.i32(r, L, "now_watched") != 0;
        String path = Wire.string(r, L, Wire.CGROUP_PATH_LEN, "path");
        Proc before = registry.proc(tgid);
        List<Task> leaving = before != null && !now ? registry.liveTasksOf(before) : List.of();
        Proc p = registry.onCgroupMove(tgid, Wire.string(r, L, Wire.COMM_LEN, "hdr", "comm"), now, path);
        if (p == null) {
            return;
        }
        if (now) {
            for (int tid : ProcFs.threadsOf(tgid)) {
                leftAt.remove(tid);
                if (registry.task(tid) == null || registry.task(tid).proc != p) {
                    registry.addTask(p, tid, tid == tgid ? p.name : ProcFs.commOf(tgid, tid));
                }
            }
        } else {
            for (Task t : leaving) {
                leftAt.put(t.tid, snapshotIndex.getAsInt());
            }
        }
    }

    /** x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
    static Syscall syscall(int nr) {
        return switch (nr) {
            case 56 -> Syscall.CLONE;
            case 57 -> Syscall.FORK;
            case 58 -> Syscall.VFORK;
            case 435 -> Syscall.CLONE3;
            case 59 -> Syscall.EXECVE;
            case 322 -> Syscall.EXECVEAT;
            default -> null;
        };
    }

    static String syscallName(int nr) {
        Syscall s = syscall(nr);
        return s == null ? null : s.syscallName();
    }
}
