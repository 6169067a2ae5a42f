package org.proctap.source.bpf;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

import org.proctap.event.SyscallEnter.Syscall;
import org.proctap.model.Proc;
import org.proctap.model.TargetSpec;
import org.proctap.model.Task;
import org.proctap.model.TaskRegistry;
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
    private final Map<Integer, Integer> exitedAt;
    private final IntSupplier snapshotIndex;
    private final boolean userMatching;

    EventTranslator(TaskRegistry registry, Consumer<Report> reports, UserWatch userWatch, Map<Integer, Integer> exitedAt,
                    IntSupplier snapshotIndex) {
        this.registry = registry;
        this.reports = reports;
        this.userWatch = userWatch;
        this.exitedAt = exitedAt;
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
        Task after = registry.onExec(pid, oldPid, comm);
        if (userMatching) {
            boolean decided = after != null && after.watched();
            if (decided != now) {
                userWatch.set(tgid, decided);
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
        if (parent == null) {
            Proc p = registry.proc(tgid);
            if (p == null) {
                p = registry.addProcess(tgid, Wire.string(r, L, Wire.COMM_LEN, "hdr", "comm"), false);
            }
            parent = registry.addTask(p, pid, Wire.string(r, L, Wire.COMM_LEN, "hdr", "comm"));
        }
        registry.onNewTask(pid, childPid, thread, childComm);
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
        exitedAt.put(pid, snapshotIndex.getAsInt());
        if (!groupDead) {
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
        if (registry.task(pid) == null && leader && (now || registry.nameMatches(comm))) {
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
