package org.proctap.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.proctap.sys.Errno;
import org.proctap.sys.ErrnoException;

class SinkTest {
    @Test
    void writesWhatWasPrintedOnFlush() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Sink sink = new Sink(bytes);
        sink.print("a").println("b");
        assertThat(bytes.size()).as("nothing before flush").isZero();
        sink.flush();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("ab\n");
    }

    @Test
    void aLongTableIsWrittenAsItGrowsNotHeldWhole() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Sink sink = new Sink(bytes);
        String line = "x".repeat(99);
        int lines = 3 * Sink.HOLD_CHARS / 100;
        for (int i = 0; i < lines; i++) {
            sink.println(line);
        }
        assertThat(bytes.size()).as("written before flush").isGreaterThanOrEqualTo(2 * Sink.HOLD_CHARS);
        sink.flush();
        assertThat(bytes.size()).isEqualTo(lines * 100);
    }

    @Test
    void aBrokenPipeIsTheReaderGoingAway() {
        Sink sink = new Sink(failing(Errno.EPIPE));
        sink.println("x");
        assertThatThrownBy(sink::flush).isInstanceOfSatisfying(OutputFailedException.class, e -> {
            assertThat(e.readerGone()).isTrue();
            assertThat(e.reason()).isEqualTo("Broken pipe");
        });
    }

    @Test
    void aFullDiskIsAnErrorWithStrerrorsWords() {
        Sink sink = new Sink(failing(Errno.ENOSPC));
        sink.println("x");
        assertThatThrownBy(sink::flush).isInstanceOfSatisfying(OutputFailedException.class, e -> {
            assertThat(e.readerGone()).isFalse();
            assertThat(e.reason()).isEqualTo("No space left on device");
        });
    }

    private static OutputStream failing(int errno) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new ErrnoException("write fd 1", errno);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new ErrnoException("write fd 1", errno);
            }
        };
    }
}
