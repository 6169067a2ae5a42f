package org.proctap.perfetto;

/**
 * What is known of a task when the trace is written: its kernel task id, its process (thread
 * group id; equal to {@code tid} for a process's main thread) and its comm. Perfetto learns
 * tasks created during the recording from their task_newtask events; this is for the ones that
 * already existed, written as a ProcessTree packet.
 */
public record TaskInfo(int tid, int tgid, String comm) {
    public TaskInfo {
        if (comm == null) {
            comm = "";
        }
    }

    public boolean mainThread() {
        return tid == tgid;
    }
}
