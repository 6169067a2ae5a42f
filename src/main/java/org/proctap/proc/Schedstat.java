package org.proctap.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * /proc/PID/task/TID/schedstat: se.sum_exec_runtime, sched_info.run_delay and pcount
 * (fs/proc/base.c, proc_pid_schedstat()). Reading it does not update the task's runtime (unlike
 * /proc/PID/stat, whose task_sched_runtime() charges a running task from the reader's CPU).
 */
public record Schedstat(long oncpuNs, long runDelayNs, long pcount) {

    /** Null when the thread is gone. */
    public static Schedstat read(int tgid, int tid) {
        Path file = Path.of("/proc", Integer.toString(tgid), "task", Integer.toString(tid), "schedstat");
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null; // ESRCH while the thread is being reaped
        }
        return parse(b, b.length);
    }

    /** Three decimal numbers separated by blanks; throws IllegalArgumentException otherwise. */
    public static Schedstat parse(byte[] b, int length) {
        long[] v = new long[3];
        int at = 0;
        for (int i = 0; i < 3; i++) {
            while (at < length && (b[at] == ' ' || b[at] == '\t')) {
                at++;
            }
            int start = at;
            long n = 0;
            while (at < length && b[at] >= '0' && b[at] <= '9') {
                if (n > (Long.MAX_VALUE - 9) / 10) {
                    throw new IllegalArgumentException("a schedstat number out of range");
                }
                n = n * 10 + (b[at++] - '0');
            }
            if (at == start) {
                throw new IllegalArgumentException("not a schedstat line: " + new String(b, 0, Math.min(length, 80)).strip());
            }
            v[i] = n;
        }
        return new Schedstat(v[0], v[1], v[2]);
    }
}
