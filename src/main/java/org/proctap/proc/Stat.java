package org.proctap.proc;

import java.nio.charset.StandardCharsets;

/**
 * The fields proctap reads from {@code /proc/PID/task/TID/stat} (fs/proc/array.c, do_task_stat()):
 * 1 pid, 2 comm, 3 state, 4 ppid, 20 num_threads (of its whole process), 22 starttime (clock ticks after boot), 26 startcode, 28
 * startstack, 39 processor (the CPU it is on or last ran on), 52 exit_code. Without ptrace read
 * access to the task the kernel prints startcode as 1, startstack and exit_code as 0
 * ({@link #layoutKnown}); kernel threads, which have no memory map, print 0 for both. A field the
 * line does not reach reads 0 ({@code processor}: -1).
 */
public record Stat(int pid, String comm, char state, int ppid, int numThreads, long startTime, long startCode,
                   long startStack, int processor, int exitCode) {
    /** Fields after the comm, counted from field 3 (state). */
    private static final int STATE = 3;
    private static final int PPID = 4;
    private static final int NUM_THREADS = 20;
    private static final int STARTTIME = 22;
    private static final int STARTCODE = 26;
    private static final int STARTSTACK = 28;
    private static final int PROCESSOR = 39;
    private static final int EXIT_CODE = 52;

    /**
     * Whether the memory layout fields are the task's own (readable, and it has a memory map):
     * they change at every exec (a fresh, randomised address space), which is how a poller tells an
     * exec from a rename.
     */
    public boolean layoutKnown() {
        return startStack != 0;
    }

    /** Parses one stat line; the comm sits between the first '(' and the LAST ')' (it may hold both). */
    public static Stat parse(byte[] b, int length) {
        int open = -1;
        int close = -1;
        for (int i = 0; i < length; i++) {
            if (b[i] == '(' && open < 0) {
                open = i;
            } else if (b[i] == ')') {
                close = i;
            }
        }
        if (open < 1 || close < open || close + 2 >= length) {
            throw new IllegalArgumentException("not a stat line: " + text(b, length));
        }
        int pid = (int) number(b, 0, open - 1, length);
        String comm = new String(b, open + 1, close - open - 1, StandardCharsets.UTF_8);
        char state = (char) b[close + 2];
        long ppid = 0;
        long threads = 0;
        long startTime = 0;
        long startCode = 0;
        long startStack = 0;
        long processor = -1;
        long exitCode = 0;
        int field = STATE;
        int at = close + 2;
        while (at < length && field <= EXIT_CODE) {
            int end = at;
            while (end < length && b[end] != ' ' && b[end] != '\n') {
                end++;
            }
            switch (field) {
                case PPID -> ppid = number(b, at, end, length);
                case NUM_THREADS -> threads = number(b, at, end, length);
                case STARTTIME -> startTime = number(b, at, end, length);
                case STARTCODE -> startCode = number(b, at, end, length);
                case STARTSTACK -> startStack = number(b, at, end, length);
                case PROCESSOR -> processor = number(b, at, end, length);
                case EXIT_CODE -> exitCode = number(b, at, end, length);
                default -> {
                }
            }
            field++;
            at = end + 1;
            if (end < length && b[end] == '\n') {
                break;
            }
        }
        return new Stat(pid, comm, state, (int) ppid, (int) threads, startTime, startCode, startStack, (int) processor,
                (int) exitCode);
    }

    public static Stat parse(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return parse(b, b.length);
    }

    /** A decimal number in b[from, to), possibly negative (an unsigned long printed by %lu stays positive). */
    private static long number(byte[] b, int from, int to, int length) {
        boolean negative = from < to && b[from] == '-';
        int i = negative ? from + 1 : from;
        if (i >= to) {
            throw new IllegalArgumentException("not a stat line: " + text(b, length));
        }
        long n = 0;
        for (; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                throw new IllegalArgumentException("not a number in a stat line: " + text(b, length));
            }
            n = n * 10 + d; // (a %llu above Long.MAX_VALUE wraps; none of the fields read here can be)
        }
        return negative ? -n : n;
    }

    private static String text(byte[] b, int length) {
        return new String(b, 0, Math.min(length, 120), StandardCharsets.UTF_8).strip();
    }
}
