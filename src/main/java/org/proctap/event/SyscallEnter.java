package org.proctap.event;

/**
 * {@code syscalls:sys_enter_*} for the few system calls proctap needs to name: {@code arg} is
 * {@code clone_flags} for clone, {@code error_code} for exit and exit_group, 0 otherwise.
 */
public record SyscallEnter(long ts, int cpu, int tid, Syscall syscall, long arg) implements Event {
    public enum Syscall {
        CLONE("clone"), CLONE3("clone3"), FORK("fork"), VFORK("vfork"), EXECVE("execve"),
        EXECVEAT("execveat"), EXIT("exit"), EXIT_GROUP("exit_group");

        private final String syscallName;

        Syscall(String syscallName) {
            this.syscallName = syscallName;
        }

        /** The system call's name as in {@code events/syscalls/sys_enter_NAME}. */
        public String syscallName() {
            return syscallName;
        }
    }
}
