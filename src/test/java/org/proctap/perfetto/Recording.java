package org.proctap.perfetto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;

import org.proctap.event.Event;
import org.proctap.source.tracefs.EventDecoder;
import org.proctap.source.tracefs.EventFormat;
import org.proctap.source.tracefs.EventHeader;
import org.proctap.source.tracefs.PageDecoder;
import org.proctap.source.tracefs.PageLayout;

/**
 * A recording under src/test/resources/fixtures/linux-VERSION/NAME/ (scripts/record-tracefs-fixture),
 * its raw ring-buffer pages decoded by PageDecoder and EventDecoder as a tracefs run decodes them
 * (cf. source.tracefs.RecordedFixtureTest).
 */
record Recording(Properties manifest, List<List<Event>> events) {

    static Recording load(String path) {
        Properties manifest = new Properties();
        try {
            manifest.load(new StringReader(text(path, "manifest.properties")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Recording(manifest, decode(path, manifest));
    }

    int cpus() {
        return Integer.parseInt(manifest.getProperty("cpus"));
    }

    TraceSystem system() {
        return new TraceSystem(manifest.getProperty("kernel"), manifest.getProperty("machine"), cpus());
    }

    /** Every CPU's events merged in time order, as a report gives them (stable: a CPU keeps its order). */
    List<Event> inTimeOrder() {
        List<Event> merged = new ArrayList<>();
        events.forEach(merged::addAll);
        merged.sort(Comparator.comparingLong(Event::ts));
        return merged;
    }

    private static List<List<Event>> decode(String path, Properties manifest) {
        List<EventFormat> formats = new ArrayList<>();
        for (String event : manifest.getProperty("events").split(" ")) {
            formats.add(EventFormat.parse(event.substring(0, event.indexOf('/')), text(path, "formats/" + event)));
        }
        PageLayout layout = PageLayout.parse(text(path, "header_page"));
        ByteOrder order = manifest.getProperty("byte_order").equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        PageDecoder pages = new PageDecoder(layout, EventHeader.parse(text(path, "header_event")), order);
        EventDecoder events = EventDecoder.create(formats);
        int subBuffer = Integer.parseInt(manifest.getProperty("subbuf_bytes"));
        List<List<Event>> perCpu = new ArrayList<>();
        for (int cpu = 0; cpu < Integer.parseInt(manifest.getProperty("cpus")); cpu++) {
            byte[] raw = bytes(path, "cpu" + cpu + ".raw");
            List<Event> out = new ArrayList<>();
            int c = cpu;
            for (int at = 0; at < raw.length; at += subBuffer) {
                pages.decode(ByteBuffer.wrap(raw, at, subBuffer).slice(), (ts, b, off, len) -> {
                    Event e = events.decode(ts, c, b, off, len);
                    assertThat(e).isNotNull();
                    out.add(e);
                });
            }
            perCpu.add(out);
        }
        return perCpu;
    }

    private static String text(String path, String file) {
        return new String(bytes(path, file), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String path, String file) {
        String resource = "/" + path + "/" + file;
        try (InputStream in = Recording.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
