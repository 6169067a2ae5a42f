package org.proctap.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One thread's own scheduling counters as /proc shows them: se.sum_exec_runtime,
 * sched_info.run_delay and pcount (schedstat, fields 1 to 3), nvcsw and nivcsw (status), se.nr_migrations (sched), and its state letter and the
 * CPU it is on or last ran on (stat, fields 3 and 39). Read at rest they equal what the BPF
 * program reads from the task_struct at a switch-out.
 */
public record TaskCounters(long oncpuNs, long runDelayNs, long pcount, long voluntary, long nonvoluntary, long migrations, char state,
                           int cpu) {
    /** TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE, __TASK_STOPPED, __TASK_TRACED, TASK_DEAD, TASK_PARKED. */
    private static final int S = 0x1;
    private static final int D = 0x2;
    private static final int T = 0x4;
    private static final int TRACED = 0x8;
    private static final int DEAD = 0x80;
    private static final int PARKED = 0x40;
    /** TASK_NOLOAD: with D, TASK_IDLE ('I'), include/linux/sched.h. */
    private static final int NOLOAD = 0x400;

    /** Null when the thread is gone or a file does not parse. */
    public static TaskCounters read(int tgid, int tid) {
        Path dir = Path.of("/proc", Integer.toString(tgid), "task", Integer.toString(tid));
        try {
            return parse(text(dir.resolve("schedstat")), text(dir.resolve("status")), text(dir.resolve("sched")),
                    text(dir.resolve("stat")));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String text(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    /** Throws IllegalArgumentException when a file lacks what is read from it. */
    public static TaskCounters parse(String schedstat, String status, String sched, String stat) {
        byte[] sb = schedstat.getBytes(StandardCharsets.US_ASCII);
        Schedstat ss = Schedstat.parse(sb, sb.length);
        long oncpu = ss.oncpuNs();
        long runDelay = ss.runDelayNs();
        long pcount = ss.pcount();
        Status switches = Status.parse(status);
        long migrations = field(sched, "se.nr_migrations");
        Stat st = Stat.parse(stat);
        if (st.processor() < 0) {
            throw new IllegalArgumentException("a stat line without a processor field: " + stat.strip());
        }
        return new TaskCounters(oncpu, runDelay, pcount, switches.voluntary(), switches.nonvoluntary(), migrations,
                st.state(), st.processor());
    }

    private static long field(String text, String name) {
        int at = 0;
        while ((at = text.indexOf(name, at)) >= 0) {
            boolean lineStart = at == 0 || text.charAt(at - 1) == '\n';
            int colon = text.indexOf(':', at);
            if (lineStart && colon > 0 && text.substring(at + name.length(), colon).isBlank()) {
                int end = text.indexOf('\n', colon);
                return Long.parseLong(text.substring(colon + 1, end < 0 ? text.length() : end).strip());
            }
            at += name.length();
        }
        throw new IllegalArgumentException("no " + name + " line");
    }

    /**
     * The task's state in the kernel's own bits (the __state that sched_switch's prev_state
     * carries), from the letter of fs/proc/array.c's task_state_array: 0 when runnable.
     */
    public int stateBits() {
        return switch (state) {
            case 'S' -> S;
            case 'D' -> D;
            case 'I' -> D | NOLOAD;
            case 'T' -> T;
            case 't' -> TRACED;
            case 'P' -> PARKED;
            case 'X', 'Z' -> DEAD;
            default -> 0;
        };
    }
}
