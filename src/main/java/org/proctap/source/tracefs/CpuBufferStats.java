package org.proctap.source.tracefs;

/**
 * {@code per_cpu/cpuN/stats}: how many events the ring buffer lost. With {@code overwrite=1}
 * (the default) the writer overwrites unread pages and counts them in {@code overrun}; with
 * {@code overwrite=0} it drops new events and counts {@code dropped events}; {@code commit overrun}
 * counts events lost to nested writers wrapping the buffer (kernel/trace/ring_buffer.c).
 */
public record CpuBufferStats(long entries, long overrun, long commitOverrun, long dropped, long readEvents) {

    public long lost() {
        return overrun + commitOverrun + dropped;
    }

    public static CpuBufferStats parse(String text) {
        long entries = 0;
        long overrun = 0;
        long commitOverrun = 0;
        long dropped = 0;
        long read = 0;
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "entries" -> entries = parseLong(value);
                case "overrun" -> overrun = parseLong(value);
                case "commit overrun" -> commitOverrun = parseLong(value);
                case "dropped events" -> dropped = parseLong(value);
                case "read events" -> read = parseLong(value);
                default -> {
                }
            }
        }
        return new CpuBufferStats(entries, overrun, commitOverrun, dropped, read);
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
