package org.proctap.tracedat;

import java.util.List;

/**
 * One event as both sides of a comparison see it: time in ns, CPU, event name, common_pid and the
 * pids (and wake-up target CPU) the sched events name, in the order trace-cmd prints them.
 */
public record DecodedEvent(long ts, int cpu, String event, int pid, List<Long> ids) {
    @Override
    public String toString() {
        return String.format("%d.%09d [%03d] %s pid=%d %s", ts / 1_000_000_000L, ts % 1_000_000_000L, cpu, event, pid, ids);
    }
}
