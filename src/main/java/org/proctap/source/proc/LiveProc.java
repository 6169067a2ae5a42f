package org.proctap.source.proc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.proctap.proc.Schedstat;
import org.proctap.proc.Stat;
import org.proctap.proc.Status;

/**
 * The kernel's /proc, read the cheap way: each thread's files stay open between polls
 * ({@link TaskFiles}) up to a budget of file descriptors, and a thread whose schedstat has not
 * moved since the last poll is not read further: its status and stat are as they were. That holds
 * because the switch counters of status move only at a switch-out, which first charges the task's
 * runtime (update_curr() from put_prev_task()/dequeue_task(), kernel/sched/core.c and fair.c), and
 * a task that was not switched in since cannot have moved CPU or state in a way that stat shows as
 * where it last ran. An idle thread costs one read a poll.
 */
final class LiveProc implements ProcView, AutoCloseable {
    private static final Path PROC = Path.of("/proc");
    /** File descriptors left for everything else proctap opens. */
    private static final int RESERVED_FDS = 256;

    private final Map<Integer, TaskFiles> files = new HashMap<>();
    private final Set<Integer> unreadable = new HashSet<>();
    private final ByteBuffer schedstat = ByteBuffer.allocate(256);
    private final ByteBuffer status = ByteBuffer.allocate(16 << 10);
    private final ByteBuffer stat = ByteBuffer.allocate(4 << 10);
    private final int budget;
    private int openFiles;
    private long poll;

    LiveProc() {
        this(Math.max(0, openFileLimit() - RESERVED_FDS));
    }

    LiveProc(int fdBudget) {
        this.budget = fdBudget;
    }

    /** Starts a poll: files the previous poll did not use are closed at {@link #endPoll}. */
    void beginPoll() {
        poll++;
    }

    /** Closes the files of threads this poll did not read (gone, or no longer watched). */
    void endPoll() {
        Iterator<TaskFiles> it = files.values().iterator();
        while (it.hasNext()) {
            TaskFiles f = it.next();
            if (f.usedAt < poll) {
                openFiles -= f.open();
                f.close();
                it.remove();
            }
        }
    }

    /** File descriptors open for the threads now. */
    int openFiles() {
        return openFiles;
    }

    @Override
    public Map<Integer, Stat> processes(Collection<Integer> only) {
        Collection<Integer> pids = only != null ? only : listed(PROC);
        Map<Integer, Stat> result = new HashMap<>();
        for (int pid : pids) {
            Stat s = stat(pid, pid);
            if (s != null) {
                result.put(pid, s);
            }
        }
        return result;
    }

    @Override
    public List<Integer> threads(int tgid) {
        return listed(PROC.resolve(Integer.toString(tgid)).resolve("task"));
    }

    @Override
    public TaskReading task(int tgid, int tid) {
        TaskFiles f = filesOf(tgid, tid);
        try {
            read(f, TaskFiles.SCHEDSTAT, schedstat);
            Schedstat ss = Schedstat.parse(schedstat.array(), schedstat.limit());
            if (f.last != null && f.last.schedstat().equals(ss)) {
                return f.last;
            }
            read(f, TaskFiles.STATUS, status);
            Status st = Status.parse(status.array(), status.limit());
            read(f, TaskFiles.STAT, stat);
            f.last = new TaskReading(ss, st, Stat.parse(stat.array(), stat.limit()));
            return f.last;
        } catch (IOException | IllegalArgumentException e) {
            return gone(f, e);
        }
    }

    @Override
    public String program(int tgid) {
        Path dir = PROC.resolve(Integer.toString(tgid));
        try {
            return Files.readSymbolicLink(dir.resolve("exe")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            // another user's process (exe needs ptrace access): argv[0] is readable by all
        }
        try {
            byte[] b = Files.readAllBytes(dir.resolve("cmdline"));
            int end = 0;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            return end > 0 ? new String(b, 0, end, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public int unreadable() {
        return unreadable.size();
    }

    private Stat stat(int tgid, int tid) {
        TaskFiles f = filesOf(tgid, tid);
        try {
            read(f, TaskFiles.STAT, stat);
            return Stat.parse(stat.array(), stat.limit());
        } catch (IOException | IllegalArgumentException e) {
            gone(f, e);
            return null;
        }
    }

    private TaskFiles filesOf(int tgid, int tid) {
        TaskFiles f = files.get(tid);
        if (f != null && f.tgid != tgid) {
            openFiles -= f.open();
            f.close();
            f = null;
        }
        if (f == null) {
            f = new TaskFiles(tgid, tid);
            files.put(tid, f);
        }
        f.usedAt = poll;
        return f;
    }

    private void read(TaskFiles f, int file, ByteBuffer buffer) throws IOException {
        int before = f.open();
        f.read(file, buffer, openFiles < budget);
        openFiles += f.open() - before;
    }

    /** The task is gone (ESRCH, ENOENT) or not readable (EACCES: counted): its files are closed. */
    private TaskReading gone(TaskFiles f, Exception e) {
        if (e instanceof AccessDeniedException) {
            unreadable.add(f.tgid);
        }
        openFiles -= f.open();
        f.close();
        files.remove(f.tid);
        return null;
    }

    /** The numeric entries of a /proc directory (pids or tids); empty when it is gone. */
    private static List<Integer> listed(Path dir) {
        List<Integer> ids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                int id = parseId(e.getFileName().toString());
                if (id > 0) {
                    ids.add(id);
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return ids;
    }

    private static int parseId(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return -1;
        }
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** The soft RLIMIT_NOFILE, from /proc/self/limits (the JVM raises it to the hard limit at start). */
    static int openFileLimit() {
        try {
            for (String line : Files.readAllLines(PROC.resolve("self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] words = line.substring("Max open files".length()).trim().split("\\s+");
                    return words[0].equals("unlimited") ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE,
                            Long.parseLong(words[0]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: the POSIX minimum
        }
        return 1024;
    }

    @Override
    public void close() {
        for (TaskFiles f : files.values()) {
            f.close();
        }
        files.clear();
        openFiles = 0;
    }
}
