package org.proctap.proc;

import java.nio.charset.StandardCharsets;

/**
 * The context switch counters of {@code /proc/PID/task/TID/status} (fs/proc/array.c,
 * task_context_switch_counts()): the task's own nvcsw and nivcsw, which __schedule() counts at
 * each switch-out (kernel/sched/core.c). Readable by every user.
 */
public record Status(long voluntary, long nonvoluntary) {
    private static final byte[] VOLUNTARY = "voluntary_ctxt_switches:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONVOLUNTARY = "nonvoluntary_ctxt_switches:".getBytes(StandardCharsets.US_ASCII);

    /**
     * Throws IllegalArgumentException when either line is missing. The two are the file's last
     * lines (proc_pid_status() prints them last), so they are looked for from the end first.
     */
    public static Status parse(byte[] b, int length) {
        int from = length;
        for (int lines = 0; from > 0 && lines < 3; lines++) { // the last two lines (and a spare)
            from--;
            while (from > 0 && b[from - 1] != '\n') {
                from--;
            }
        }
        Status tail = scan(b, from, length);
        return tail != null ? tail : orThrow(scan(b, 0, length), b, length);
    }

    private static Status orThrow(Status s, byte[] b, int length) {
        if (s == null) {
            throw new IllegalArgumentException("no voluntary_ctxt_switches and nonvoluntary_ctxt_switches lines"
                    + " in a status file");
        }
        return s;
    }

    /** The two counters from the lines in b[from, length), or null when either is missing. */
    private static Status scan(byte[] b, int from, int length) {
        long vol = -1;
        long nonvol = -1;
        for (int line = from; line < length; ) {
            int end = line;
            while (end < length && b[end] != '\n') {
                end++;
            }
            if (startsWith(b, line, end, VOLUNTARY)) {
                vol = number(b, line + VOLUNTARY.length, end);
            } else if (startsWith(b, line, end, NONVOLUNTARY)) {
                nonvol = number(b, line + NONVOLUNTARY.length, end);
            }
            line = end + 1;
        }
        return vol < 0 || nonvol < 0 ? null : new Status(vol, nonvol);
    }

    public static Status parse(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return parse(b, b.length);
    }

    private static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static long number(byte[] b, int from, int to) {
        int i = from;
        while (i < to && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        if (i == to) {
            throw new IllegalArgumentException("a ctxt_switches line without a number");
        }
        long n = 0;
        for (; i < to && b[i] >= '0' && b[i] <= '9'; i++) {
            n = n * 10 + (b[i] - '0');
        }
        return n;
    }
}
