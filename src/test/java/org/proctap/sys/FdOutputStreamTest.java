package org.proctap.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FdOutputStreamTest {
    @Test
    void aFullDeviceFailsWithEnospcAndStrerrorsWords() throws IOException {
        int fd = Libc.open("/dev/full", Libc.O_WRONLY);
        try {
            FdOutputStream out = new FdOutputStream(fd);
            assertThatThrownBy(() -> out.write("x\n".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.ENOSPC);
                        assertThat(e.reason()).isEqualTo("No space left on device");
                        assertThat(e.getMessage()).isEqualTo("write fd " + fd + ": No space left on device (ENOSPC)");
                    });
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void writesEverythingToAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out");
        Files.createFile(file);
        int fd = Libc.open(file.toString(), Libc.O_WRONLY);
        byte[] big = new byte[1 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        try {
            new FdOutputStream(fd).write(big, 0, big.length);
        } finally {
            Libc.close(fd);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(big);
    }
}
