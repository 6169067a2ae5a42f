package org.proctap.tracedat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The trace.dat fixtures of fixtures/linux-6.18/tracedat (see record.sh there), and byte channels over them. */
final class Fixtures {
    static final String DIR = "fixtures/linux-6.18/tracedat/";

    private Fixtures() {
    }

    static byte[] bytes(String resource) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] file(String name) {
        return bytes(DIR + name);
    }

    static List<String> lines(String name) {
        return new String(file(name), StandardCharsets.UTF_8).lines().toList();
    }

    static SeekableByteChannel channel(byte[] bytes) {
        return new ByteArrayChannel(bytes);
    }

    static TraceDatReader open(byte[] bytes) {
        return TraceDatReader.open(channel(bytes));
    }
}
