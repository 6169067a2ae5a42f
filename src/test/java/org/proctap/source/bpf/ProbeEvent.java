package org.proctap.source.bpf;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** The Java mirror of struct probe_event (src/test/bpf/probe_test.bpf.h), copied out of the ring. */
record ProbeEvent(long cookie, int kind, int pid, int tid, int cpu, long tsNs, String comm, String filename) {
    static final int EXEC = 1;
    static final int SWITCH = 2;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("cookie"),
            ValueLayout.JAVA_INT.withName("kind"),
            ValueLayout.JAVA_INT.withName("pid"),
            ValueLayout.JAVA_INT.withName("tid"),
            ValueLayout.JAVA_INT.withName("cpu"),
            ValueLayout.JAVA_LONG.withName("ts_ns"),
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("comm"),
            MemoryLayout.sequenceLayout(64, ValueLayout.JAVA_BYTE).withName("filename"));

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static ProbeEvent decode(MemorySegment r) {
        return new ProbeEvent(r.get(I64, 0), r.get(I32, 8), r.get(I32, 12), r.get(I32, 16), r.get(I32, 20),
                r.get(I64, 24), cString(r, 32, 16), cString(r, 48, 64));
    }

    private static String cString(MemorySegment r, long offset, int max) {
        byte[] b = r.asSlice(offset, max).toArray(ValueLayout.JAVA_BYTE);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
