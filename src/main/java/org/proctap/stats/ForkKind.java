package org.proctap.stats;

import org.proctap.event.SyscallEnter.Syscall;
import org.proctap.event.TaskNew;

/**
 * Names a task creation the way a user thinks of it. fork(2) and vfork(2) are what glibc's
 * fork() and vfork() mean, but glibc implements fork() with clone(SIGCHLD) and posix_spawn with
 * clone3(CLONE_VM|CLONE_VFORK), so the flags decide: CLONE_VFORK is a vfork, a new process with
 * its own memory (no CLONE_VM, no CLONE_THREAD) is a fork, anything else (threads, processes
 * sharing memory) is a clone.
 */
public final class ForkKind {
    private ForkKind() {
    }

    public static String classify(Syscall syscall, long cloneFlags) {
        if (syscall == Syscall.FORK) {
            return "fork";
        }
        if (syscall == Syscall.VFORK || (cloneFlags & TaskNew.CLONE_VFORK) != 0) {
            return "vfork";
        }
        if ((cloneFlags & (TaskNew.CLONE_VM | TaskNew.CLONE_THREAD)) == 0) {
            return "fork";
        }
        return "clone";
    }
}
