package org.proctap.source.tracefs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads tracefs text files. They report size 0, and some (events/header_page) answer only the
 * first read() and EOF after it, so Files.readString — which starts with a 1-byte read when the
 * size is 0 — gets a single character. Reading with one large buffer gets the whole text.
 */
final class TracefsFiles {
    private TracefsFiles() {
    }

    static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            int total = 0;
            int n;
            while ((n = in.read(buf, total, buf.length - total)) > 0) {
                total += n;
                if (total == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
            }
            return new String(buf, 0, total, StandardCharsets.UTF_8);
        }
    }
}
