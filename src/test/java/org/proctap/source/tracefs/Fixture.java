package org.proctap.source.tracefs;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A recording made by scripts/record-tracefs-fixture, read from the test class path
 * ({@code fixtures/linux-VERSION/NAME/}): raw sub-buffers and the kernel's text per CPU, the header
 * texts and the format of every enabled event.
 */
record Fixture(String path, Properties manifest, String headerPage, String headerEvent, List<EventFormat> formats) {

    static Fixture load(String path) {
        Properties manifest = new Properties();
        try {
            manifest.load(new StringReader(text(path, "manifest.properties")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<EventFormat> formats = new ArrayList<>();
        for (String event : manifest.getProperty("events").split(" ")) {
            String system = event.substring(0, event.indexOf('/'));
            formats.add(EventFormat.parse(system, text(path, "formats/" + event)));
        }
        return new Fixture(path, manifest, text(path, "header_page"), text(path, "header_event"), formats);
    }

    int cpus() {
        return Integer.parseInt(manifest.getProperty("cpus"));
    }

    int subBufferBytes() {
        return Integer.parseInt(manifest.getProperty("subbuf_bytes"));
    }

    ByteOrder byteOrder() {
        return manifest.getProperty("byte_order").equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    byte[] raw(int cpu) {
        return bytes(path, "cpu" + cpu + ".raw");
    }

    List<String> trace(int cpu) {
        return text(path, "cpu" + cpu + ".trace").lines().toList();
    }

    static String text(String path, String file) {
        return new String(bytes(path, file), StandardCharsets.UTF_8);
    }

    static byte[] bytes(String path, String file) {
        String resource = "/" + path + "/" + file;
        try (InputStream in = Fixture.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
