package org.proctap.source.proc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.proctap.proc.Stat;

/**
 * /proc as hand-written text, one poll at a time: each thread's schedstat, status and stat as the
 * kernel prints them (fs/proc/base.c, fs/proc/array.c), parsed by the same code as the live files.
 */
final class FakeProc implements ProcView {
    /** A thread's three files. */
    record Files(String schedstat, String status, String stat) {
    }

    private final Map<Integer, Map<Integer, Files>> tasks = new TreeMap<>();
    private final Map<Integer, String> programs = new HashMap<>();

    /**
     * A stat line of Linux 6.18 (52 fields): pid (comm) state ppid, then the fields up to 21 as a
     * sleeping thread has them, 22 starttime, 26 startcode, 28 startstack, 39 processor, 52 exit_code.
     */
    static String stat(int pid, String comm, char state, int ppid, long startTime, long startCode, long startStack,
                       int cpu, int exitCode) {
        return pid + " (" + comm + ") " + state + " " + ppid + " " + pid + " " + ppid + " 0 -1 4194560 120 0 0 0 3 1 0 0"
                + " 20 0 1 0 " + startTime + " 2244608 215 18446744073709551615 " + startCode + " " + (startCode + 4096)
                + " " + startStack + " 0 0 0 0 0 0 0 0 0 17 " + cpu + " 0 0 0 0 0 " + (startCode + 8192) + " "
                + (startCode + 9000) + " 94371328 140723050512384 140723050512400 140723050512400 140723050516464 "
                + exitCode + "\n";
    }

    /** The two lines of status proctap reads, among the others the kernel prints. */
    static String status(String name, long vol, long nonvol) {
        return "Name:\t" + name + "\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1\nVmRSS:\t    1024 kB\n"
                + "Cpus_allowed_list:\t0-1\nvoluntary_ctxt_switches:\t" + vol + "\nnonvoluntary_ctxt_switches:\t"
                + nonvol + "\n";
    }

    static String schedstat(long oncpu, long wait, long pcount) {
        return oncpu + " " + wait + " " + pcount + "\n";
    }

    /** Puts (or replaces) one thread. */
    FakeProc thread(int tgid, int tid, Files files) {
        tasks.computeIfAbsent(tgid, x -> new LinkedHashMap<>()).put(tid, files);
        return this;
    }

    /** A thread with these figures, its stat as the other arguments say. */
    FakeProc thread(int tgid, int tid, String comm, char state, int ppid, long startTime, long layout,
                    long oncpu, long wait, long pcount, long vol, long nonvol) {
        return thread(tgid, tid, new Files(schedstat(oncpu, wait, pcount), status(comm, vol, nonvol),
                stat(tid, comm, state, tid == tgid ? ppid : ppid, startTime, layout, layout == 1 ? 0 : layout * 16, 1, 0)));
    }

    FakeProc remove(int tgid, int tid) {
        Map<Integer, Files> t = tasks.get(tgid);
        if (t != null) {
            t.remove(tid);
            if (t.isEmpty()) {
                tasks.remove(tgid);
            }
        }
        return this;
    }

    FakeProc removeProcess(int tgid) {
        tasks.remove(tgid);
        return this;
    }

    FakeProc program(int tgid, String path) {
        programs.put(tgid, path);
        return this;
    }

    @Override
    public Map<Integer, Stat> processes(Collection<Integer> only) {
        Map<Integer, Stat> result = new HashMap<>();
        for (var e : tasks.entrySet()) {
            Files leader = e.getValue().get(e.getKey());
            if (leader != null && (only == null || only.contains(e.getKey()))) {
                Stat st = Stat.parse(leader.stat());
                // num_threads (field 20) is the process's, whichever thread's stat it is read from
                result.put(e.getKey(), new Stat(st.pid(), st.comm(), st.state(), st.ppid(), e.getValue().size(),
                        st.startTime(), st.startCode(), st.startStack(), st.processor(), st.exitCode()));
            }
        }
        return result;
    }

    @Override
    public List<Integer> threads(int tgid) {
        Map<Integer, Files> t = tasks.get(tgid);
        return t == null ? List.of() : new ArrayList<>(t.keySet());
    }

    @Override
    public TaskReading task(int tgid, int tid) {
        Map<Integer, Files> t = tasks.get(tgid);
        Files f = t == null ? null : t.get(tid);
        if (f == null) {
            return null;
        }
        byte[] a = f.schedstat().getBytes(StandardCharsets.US_ASCII);
        byte[] b = f.status().getBytes(StandardCharsets.US_ASCII);
        byte[] c = f.stat().getBytes(StandardCharsets.UTF_8);
        return TaskReading.parse(a, a.length, b, b.length, c, c.length);
    }

    @Override
    public String program(int tgid) {
        return programs.get(tgid);
    }

    @Override
    public int unreadable() {
        return 0;
    }
}
