package org.proctap.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads what proctap needs from /proc: processes, their threads, names and parents. */
public final class ProcFs {
    private static final Path PROC = Path.of("/proc");

    private ProcFs() {
    }

    /** A process as /proc shows it now: its main thread's comm and its parent. */
    public record ProcessEntry(int pid, String comm, int ppid) {
    }

    /** Every process (not thread) alive now; processes that vanish while scanning are skipped. */
    public static List<ProcessEntry> processes() {
        List<ProcessEntry> result = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
            for (Path dir : dirs) {
                int pid = parsePid(dir.getFileName().toString());
                if (pid <= 0) {
                    continue;
                }
                ProcessEntry e = readStat(pid);
                if (e != null) {
                    result.add(e);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
        }
        return result;
    }

    /** /proc/PID/stat → comm and ppid; null when the process is gone. */
    public static ProcessEntry readStat(int pid) {
        String stat = readString(PROC.resolve(Integer.toString(pid)).resolve("stat"));
        return stat == null ? null : parseStat(pid, stat);
    }

    /** Parses a stat line; the comm sits between the first '(' and the LAST ')' (it may hold both). */
    static ProcessEntry parseStat(int pid, String stat) {
        try {
            Stat s = Stat.parse(stat);
            return new ProcessEntry(pid, s.comm(), s.ppid());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** How many threads the system has now (each process's task/ entries). */
    public static int threadCount() {
        int n = 0;
        for (ProcessEntry p : processes()) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC.resolve(Integer.toString(p.pid())).resolve("task"))) {
                for (Path ignored : dirs) {
                    n++;
                }
            } catch (IOException e) {
                // gone meanwhile
            }
        }
        return n;
    }

    /** Thread ids of process {@code tgid} (empty when gone). */
    public static List<Integer> threadsOf(int tgid) {
        List<Integer> tids = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC.resolve(Integer.toString(tgid)).resolve("task"))) {
            for (Path dir : dirs) {
                int tid = parsePid(dir.getFileName().toString());
                if (tid > 0) {
                    tids.add(tid);
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return tids;
    }

    /**
     * The processes thread {@code tid} of {@code tgid} forked that are still alive
     * (/proc/PID/task/TID/children, CONFIG_PROC_CHILDREN; empty when gone or not built in).
     */
    public static List<Integer> childrenOf(int tgid, int tid) {
        String s = readString(PROC.resolve(Integer.toString(tgid)).resolve("task").resolve(Integer.toString(tid))
                .resolve("children"));
        List<Integer> pids = new ArrayList<>();
        if (s != null) {
            for (String word : s.strip().split(" ")) {
                int pid = parsePid(word);
                if (pid > 0) {
                    pids.add(pid);
                }
            }
        }
        return pids;
    }

    /** A thread's comm, or "" when gone. */
    public static String commOf(int tgid, int tid) {
        String comm = readString(PROC.resolve(Integer.toString(tgid)).resolve("task").resolve(Integer.toString(tid))
                .resolve("comm"));
        return comm == null ? "" : comm.strip();
    }

    /** The process a task belongs to, from /proc/TID/status; -1 when the task is gone. */
    public static int tgidOf(int tid) {
        String status = readString(PROC.resolve(Integer.toString(tid)).resolve("status"));
        if (status == null) {
            return -1;
        }
        for (String line : status.split("\n")) {
            if (line.startsWith("Tgid:")) {
                return parsePid(line.substring(5).trim());
            }
        }
        return -1;
    }

    /** MemTotal of /proc/meminfo in bytes (0 when unreadable). */
    public static long memTotal() {
        String v = readString(PROC.resolve("meminfo"));
        if (v != null) {
            for (String line : v.split("\n")) {
                if (line.startsWith("MemTotal:")) {
                    try {
                        return Long.parseLong(line.substring(9).replace("kB", "").strip()) * 1024;
                    } catch (NumberFormatException e) {
                        return 0;
                    }
                }
            }
        }
        return 0;
    }

    /**
     * /proc/sys/kernel/pid_max: thread ids are below it. Read as a stream: Files.readString of a
     * sysctl file returns its first byte only (JDK 25; "3" for 32768).
     */
    public static int pidMax() {
        String v;
        try (var in = Files.newInputStream(PROC.resolve("sys/kernel/pid_max"))) {
            v = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            v = null;
        }
        try {
            return v == null ? 32768 : Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            return 32768;
        }
    }

    public static boolean exists(int pid) {
        return Files.exists(PROC.resolve(Integer.toString(pid)));
    }

    /** The process state letter from /proc/PID/stat ('T' when stopped), or 0 when gone. */
    public static char state(int pid) {
        String stat = readString(PROC.resolve(Integer.toString(pid)).resolve("stat"));
        if (stat == null) {
            return 0;
        }
        try {
            return Stat.parse(stat).state();
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static int parsePid(String s) {
        if (s.isEmpty() || s.length() > 10) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        long v = Long.parseLong(s);
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }
}
