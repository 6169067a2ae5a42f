package org.proctap.report;

/** The last thread ({@code pid}) of process {@code tgid} exited with {@code status}. */
public record ExitReport(long ts, int cpu, int pid, int tgid, String comm, ExitStatus status) implements Report {
}
