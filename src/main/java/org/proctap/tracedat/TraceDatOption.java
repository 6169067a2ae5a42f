package org.proctap.tracedat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One option of a trace.dat file: an id and its bytes, which trace-cmd reads in its own byte order
 * (lib/trace-cmd/trace-input.c, handle_options). trace-cmd skips ids it does not know with a
 * warning ("unknown option N") and reads on, which is what proctap's own option relies on.
 *
 * @param id   the option id (u16); trace-cmd's are {@code enum tracecmd_option_id} in
 *             lib/trace-cmd/include/private/trace-cmd-private.h, 0 to 25 in trace-cmd 3.4
 * @param data the option's bytes as stored
 */
public record TraceDatOption(int id, byte[] data) {
    /** TRACECMD_OPTION_CPUSTAT: the text of per_cpu/cpuN/stats, one option per CPU. */
    public static final int CPUSTAT = 2;
    /** TRACECMD_OPTION_BUFFER: a ring buffer's flyrecord data (v7: offset, name, clock, page size, CPUs). */
    public static final int BUFFER = 3;
    /** TRACECMD_OPTION_TRACECLOCK: the text of trace_clock, the clock in use in brackets. */
    public static final int TRACECLOCK = 4;
    /** TRACECMD_OPTION_UNAME: "sysname nodename release machine", NUL-terminated. */
    public static final int UNAME = 5;
    /** TRACECMD_OPTION_CPUCOUNT: u32, the number of CPUs of the system. */
    public static final int CPUCOUNT = 8;
    /** TRACECMD_OPTION_VERSION: the version of the program that wrote the file, NUL-terminated. */
    public static final int VERSION = 9;
    /**
     * proctap's own section ("pt" in ASCII, 0x7074 = 28788): far above trace-cmd's ids, which are
     * allocated in order from 0 and reached 25 in trace-cmd 3.4, so the two will not meet.
     */
    public static final int PROCTAP = 0x7074;

    public TraceDatOption {
        if (id <= 0 || id > 0xffff) {
            throw new IllegalArgumentException("option id " + id + " is not a u16 above 0 (0 ends the options)");
        }
        data = data.clone();
    }

    /** An option holding {@code text} as UTF-8 followed by a NUL, as trace-cmd writes its strings. */
    public static TraceDatOption text(int id, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new TraceDatOption(id, Arrays.copyOf(b, b.length + 1));
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The data as text, up to its first NUL. */
    public String textValue() {
        int end = 0;
        while (end < data.length && data[end] != 0) {
            end++;
        }
        return new String(data, 0, end, StandardCharsets.UTF_8);
    }

    public int size() {
        return data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TraceDatOption(int otherId, byte[] otherData) && otherId == id
                && Arrays.equals(otherData, data);
    }

    @Override
    public int hashCode() {
        return 31 * id + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "TraceDatOption[id=" + id + ", " + data.length + " bytes]";
    }
}
