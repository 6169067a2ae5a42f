package org.proctap.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proctap.testing.Fifo;

class PollFdsTest {
    @Test
    void slotsAreTheKernelsStructPollfd() {
        // include/uapi/asm-generic/poll.h: int fd; short events; short revents; (8 bytes, 4-aligned)
        assertThat(PollFds.POLLFD.byteSize()).isEqualTo(8);
        assertThat(PollFds.POLLFD.byteAlignment()).isEqualTo(4);
        assertThat(PollFds.POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("events"))).isEqualTo(4);
        assertThat(PollFds.POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("revents"))).isEqualTo(6);
        assertThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN); // (the bytes below)
        try (PollFds fds = new PollFds(3)) {
            fds.set(1, 0x0102_0304, Libc.POLLIN);
            byte[] bytes = fds.segment().toArray(ValueLayout.JAVA_BYTE);
            assertThat(bytes).containsExactly(
                    -1, -1, -1, -1, 0, 0, 0, 0, // slot 0: fd -1 (skipped by the kernel), events 0, revents 0
                    4, 3, 2, 1, 1, 0, 0, 0,     // slot 1: fd 0x01020304, events POLLIN, revents 0
                    -1, -1, -1, -1, 0, 0, 0, 0); // slot 2: as slot 0
        }
    }

    @Test
    void pollReportsTheReadableSlotOnly(@TempDir Path dir) throws Exception {
        try (Fifo quiet = new Fifo(dir.resolve("quiet")); Fifo busy = new Fifo(dir.resolve("busy"));
             PollFds fds = new PollFds(3)) {
            int a = Libc.open(quiet.path().toString(), Libc.O_RDONLY | Libc.O_NONBLOCK);
            int b = Libc.open(busy.path().toString(), Libc.O_RDONLY | Libc.O_NONBLOCK);
            try {
                fds.set(0, a, Libc.POLLIN);
                fds.set(2, b, Libc.POLLIN); // (slot 1 stays -1: ignored)
                assertThat(fds.poll(20)).as("nothing written: a timeout").isZero();
                assertThat(fds.revents(0) | fds.revents(1) | fds.revents(2)).isZero();

                busy.write(new byte[] {42});
                assertThat(fds.poll(5_000)).isEqualTo(1);
                assertThat(fds.revents(0)).isZero();
                assertThat(fds.revents(1)).isZero();
                assertThat(fds.revents(2)).isEqualTo(Libc.POLLIN);
            } finally {
                Libc.close(a);
                Libc.close(b);
            }
        }
    }
}
