package org.proctap.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.proctap.proc.CgroupFs;
import org.proctap.proc.ProcFs;

/**
 * Finds the processes to watch that already run when proctap starts, by scanning /proc, and
 * registers them with all their threads. Returns the thread ids registered.
 */
public final class InitialScan {
    private InitialScan() {
    }

    /** Thrown for a -p PID that does not exist. */
    public static final class NoSuchProcessException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public NoSuchProcessException(String message) {
            super(message);
        }
    }

    /**
     * @param extraPinned processes proctap started itself (the command), pinned whatever the mode
     * @param skipPid     never watch this process (proctap itself)
     */
    public static List<Integer> run(TaskRegistry registry, List<Integer> extraPinned, long skipPid) {
        TargetSpec spec = registry.spec();
        List<ProcFs.ProcessEntry> all = ProcFs.processes();
        Map<Integer, ProcFs.ProcessEntry> byPid = new HashMap<>();
        for (ProcFs.ProcessEntry e : all) {
            byPid.put(e.pid(), e);
        }
        List<Integer> roots = new ArrayList<>();
        switch (spec.mode()) {
            case NAME -> {
                for (ProcFs.ProcessEntry e : all) {
                    if (e.pid() != skipPid && spec.matcher().matches(e.comm())) {
                        roots.add(e.pid());
                    }
                }
            }
            case PIDS -> {
                for (int pid : spec.pids()) {
                    int tgid = ProcFs.tgidOf(pid);
                    if (tgid <= 0) {
                        throw new NoSuchProcessException("no such process: " + pid);
                    }
                    roots.add(tgid);
                }
            }
            case COMMAND -> {
            }
            case CGROUP -> roots.addAll(CgroupFs.processes(spec.cgroup()));
        }
        roots.addAll(extraPinned);
        List<Integer> selected = new ArrayList<>(roots);
        if (spec.watchesDescendants()) {
            for (ProcFs.ProcessEntry e : all) {
                if (!roots.contains(e.pid()) && hasAncestorIn(e.pid(), byPid, roots)) {
                    selected.add(e.pid());
                }
            }
        }
        List<Integer> tids = new ArrayList<>();
        for (int tgid : selected) {
            if (tgid == skipPid) {
                continue;
            }
            ProcFs.ProcessEntry e = byPid.get(tgid);
            if (e == null) {
                e = ProcFs.readStat(tgid);
            }
            if (e == null) {
                continue;
            }
            boolean pinned = spec.mode() != TargetSpec.Mode.NAME || !roots.contains(tgid) || extraPinned.contains(tgid);
            Proc p = registry.addProcess(tgid, e.comm(), pinned);
            if (spec.mode() == TargetSpec.Mode.CGROUP) {
                p.cgroup = CgroupFs.cgroupOf(tgid, tgid);
            }
            for (int tid : ProcFs.threadsOf(tgid)) {
                registry.addTask(p, tid, tid == tgid ? e.comm() : ProcFs.commOf(tgid, tid));
                tids.add(tid);
            }
        }
        return tids;
    }

    /**
     * After the kernel started recording: registers what appeared since {@link #run} (threads of
     * watched processes; in NAME mode, processes that now match), so that a task born between the
     * scan and the start is not missed. Returns the thread ids added.
     */
    public static List<Integer> rescan(TaskRegistry registry, long skipPid) {
        List<Integer> added = new ArrayList<>();
        for (Proc proc : registry.watchedProcs()) {
            for (int tid : ProcFs.threadsOf(proc.tgid)) {
                if (registry.task(tid) == null) {
                    registry.addTask(proc, tid, ProcFs.commOf(proc.tgid, tid));
                    added.add(tid);
                }
            }
        }
        if (registry.spec().mode() == TargetSpec.Mode.CGROUP) {
            for (int pid : CgroupFs.processes(registry.spec().cgroup())) {
                ProcFs.ProcessEntry e = ProcFs.readStat(pid);
                if (pid != skipPid && registry.proc(pid) == null && e != null) {
                    Proc p = registry.onCgroupMove(pid, e.comm(), true, CgroupFs.cgroupOf(pid, pid));
                    for (int tid : ProcFs.threadsOf(pid)) {
                        registry.addTask(p, tid, tid == pid ? e.comm() : ProcFs.commOf(pid, tid));
                        added.add(tid);
                    }
                }
            }
        }
        if (registry.spec().mode() == TargetSpec.Mode.NAME) {
            for (ProcFs.ProcessEntry e : ProcFs.processes()) {
                if (e.pid() != skipPid && registry.proc(e.pid()) == null && registry.nameMatches(e.comm())) {
                    Proc p = registry.addProcess(e.pid(), e.comm(), false);
                    for (int tid : ProcFs.threadsOf(e.pid())) {
                        registry.addTask(p, tid, tid == e.pid() ? e.comm() : ProcFs.commOf(e.pid(), tid));
                        added.add(tid);
                    }
                }
            }
        }
        return added;
    }

    private static boolean hasAncestorIn(int pid, Map<Integer, ProcFs.ProcessEntry> byPid, List<Integer> roots) {
        ProcFs.ProcessEntry e = byPid.get(pid);
        for (int depth = 0; e != null && depth < 4096; depth++) {
            if (roots.contains(e.ppid())) {
                return true;
            }
            e = byPid.get(e.ppid());
        }
        return false;
    }
}
