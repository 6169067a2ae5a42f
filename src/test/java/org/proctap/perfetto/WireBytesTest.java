package org.proctap.perfetto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.proctap.event.SchedSwitch;

/**
 * The bytes of a small trace, written out by hand from Perfetto's published field numbers
 * (protos/perfetto/trace/trace.proto, trace_packet.proto, common/system_info.proto,
 * ftrace/ftrace_event_bundle.proto, ftrace/ftrace_event.proto, ftrace/sched.proto): a check on
 * src/main/proto/perfetto_trace.proto that does not go through the classes generated from it.
 * A tag byte is (field number << 3) | wire type (0 varint, 2 length-delimited).
 */
class WireBytesTest {

    @Test
    void aSwitchIsTheBytesPerfettoNumbersMakeIt() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PerfettoWriter w = new PerfettoWriter(out, new TraceSystem("6.18", "x86_64", 1))) {
            w.accept(new SchedSwitch(1000, 0, 7, "a", 7, 120, 0x100, "b", 0, 120));
        }
        byte[] expected = bytes(
                // Trace.packet (1, bytes), 30 bytes: the SystemInfo packet
                0x0a, 30,
                    0x50, 1, // TracePacket.trusted_packet_sequence_id (10, varint) = 1
                    0xea, 0x02, 25, // TracePacket.system_info (45, bytes: tag 362 as a varint), 25 bytes
                        0x0a, 21, // SystemInfo.utsname (1), 21 bytes
                            0x0a, 5, "Linux", // Utsname.sysname (1)
                            0x1a, 4, "6.18", // Utsname.release (3)
                            0x22, 6, "x86_64", // Utsname.machine (4)
                        0x40, 1, // SystemInfo.num_cpus (8, varint) = 1
                // Trace.packet, 32 bytes: one CPU's bundle
                0x0a, 32,
                    0x0a, 28, // TracePacket.ftrace_events (1), 28 bytes
                        0x08, 0, // FtraceEventBundle.cpu (1) = 0
                        0x12, 24, // FtraceEventBundle.event (2), 24 bytes: timestamp, pid, then the
                                  // event, the order ftrace_tokenizer.cc's fast path expects
                            0x08, 0xe8, 0x07, // FtraceEvent.timestamp (1) = 1000
                            0x10, 7, // FtraceEvent.pid (2) = 7
                            0x22, 17, // FtraceEvent.sched_switch (4), 17 bytes
                                0x0a, 1, "a", // prev_comm (1)
                                0x10, 7, // prev_pid (2)
                                0x18, 120, // prev_prio (3)
                                0x20, 0x80, 0x02, // prev_state (4) = 0x100
                                0x2a, 1, "b", // next_comm (5)
                                0x30, 0, // next_pid (6)
                                0x38, 120, // next_prio (7)
                    0x50, 1); // TracePacket.trusted_packet_sequence_id (10) = 1
        assertThat(out.toByteArray()).isEqualTo(expected);
    }

    /** Ints are bytes, strings their ASCII. */
    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                b.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
            } else {
                b.write((Integer) p);
            }
        }
        return b.toByteArray();
    }
}
