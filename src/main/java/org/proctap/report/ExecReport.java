package org.proctap.report;

/**
 * Task {@code pid} of process {@code tgid} (formerly task {@code oldPid}) exec'd {@code filename}
 * (the path as passed to the call) through {@code syscall} ("execve", "execveat", or null when the
 * source could not tell) and is now named {@code comm}.
 */
public record ExecReport(long ts, int cpu, int pid, int tgid, int oldPid, String filename, String syscall,
                         String comm) implements Report {
}
