package org.proctap.report;

/**
 * Task {@code pid} (process {@code tgid}) created task {@code childPid} (process {@code childTgid}).
 * {@code kind} is what it was: "fork" (a new process with its own copy of memory), "vfork" (a new
 * process borrowing the parent's memory until it execs or exits) or "clone" (anything else, e.g.
 * a thread); {@code syscall} the system call that did it ("clone", "clone3", "fork", "vfork", or
 * null when unknown); {@code thread} whether the child is a thread of the same process;
 * {@code cloneFlags} {@link #UNKNOWN_FLAGS} when the source cannot see them.
 */
public record ForkReport(long ts, int cpu, int pid, int tgid, String comm, int childPid, int childTgid,
                         String childComm, String kind, String syscall, boolean thread, long cloneFlags)
        implements Report {
    /** The clone flags are not known (the /proc poller sees only that a task appeared). */
    public static final long UNKNOWN_FLAGS = -1;
}
