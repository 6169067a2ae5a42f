package org.proctap.source.tracefs;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * proctap's own section of a recording (trace.dat option 0x7074), JSON: what the kernel's pages
 * alone do not say and a report needs to account as the live watch did, without the machine it
 * was recorded on. Its pages are those of three tracefs instances (scheduling, life cycle,
 * remote charges) interleaved per CPU: {@code streams} says, per CPU, which instance each page
 * came from, one letter a page (s, l, c), in file order.
 *
 * @param version    of this section
 * @param kernel     the kernel release recorded on (uname -r)
 * @param cpus       the possible CPUs
 * @param target     how the watch was asked for: mode (name, pids, command), the name and how it
 *                   matched, the pids, the command, and whether descendants were followed;
 *                   for mode cgroup, name is the cgroup's path
 * @param startNs    when tracing began (CLOCK_MONOTONIC, the trace clock)
 * @param stopNs     when it stopped
 * @param procs      the processes registered at the start, with their threads
 * @param baselines  each watched thread's state at the start, from /proc
 * @param readings   the run_delay readings the live accounting anchored its waits to
 * @param lost       events the kernel lost, per CPU (its buffers' overrun counts)
 * @param remoteChargesFromNs since when the charges instance recorded charges made from another
 *                   CPU (KernelFilter; Long.MAX_VALUE: never)
 * @param streams    per CPU, the instance of each page
 */
public record RecordingInfo(int version, String kernel, int cpus, Target target, long startNs, long stopNs,
                            List<ProcAtStart> procs, List<Baseline> baselines, List<Reading> readings,
                            long[] lost, long remoteChargesFromNs, List<String> streams) {
    public static final int VERSION = 1;
    /** The instances, by stream index / ncpu, and their letters in {@link #streams}. */
    static final String INSTANCES = "slc";

    public record Target(String mode, String name, boolean exact, boolean regex, List<Integer> pids,
                         List<String> command, boolean follow, List<Integer> pinned) {
    }

    /** {@code cgroup}: under --cgroup, its cgroup v2 path then (null otherwise, and in older recordings). */
    public record ProcAtStart(int tgid, String name, boolean pinned, List<TaskAtStart> tasks, String cgroup) {
    }

    public record TaskAtStart(int tid, String comm) {
    }

    public record Baseline(int tid, int stateBits, int cpu, long runDelayNs, long readNs) {
    }

    /** One reading for the table due at {@code dueNs}: complete at {@code endNs}. */
    public record Reading(long dueNs, long endNs, List<TaskReading> tasks) {
    }

    public record TaskReading(int tid, long incarnation, long runDelayNs, long cutNs) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the recording's section", e);
        }
    }

    /** Parses the section; a malformed one is an IOException saying so. */
    public static RecordingInfo parse(byte[] json) throws IOException {
        return JSON.readValue(json, RecordingInfo.class);
    }
}
