package org.proctap.tracedat;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A tracefs recording of scripts/record-tracefs-fixture (fixtures/linux-6.18/process-lifecycle*:
 * raw sub-buffers per CPU, header texts, formats), turned into what {@link TraceDatWriter} takes.
 */
record TracefsFixture(TraceDatHeader header, List<List<ByteBuffer>> pages) {

    static TracefsFixture load(String path) {
        Properties manifest = new Properties();
        try {
            manifest.load(new StringReader(text(path, "manifest.properties")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, List<String>> formats = new LinkedHashMap<>();
        for (String event : manifest.getProperty("events").split(" ")) {
            String system = event.substring(0, event.indexOf('/'));
            formats.computeIfAbsent(system, k -> new ArrayList<>()).add(text(path, "formats/" + event));
        }
        int page = Integer.parseInt(manifest.getProperty("subbuf_bytes"));
        ByteOrder order = manifest.getProperty("byte_order").equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        TraceDatHeader header = new TraceDatHeader(order, 8, page, text(path, "header_page"), text(path, "header_event"),
                List.of(), formats, manifest.getProperty("trace_clock"));
        List<List<ByteBuffer>> pages = new ArrayList<>();
        for (int cpu = 0; cpu < Integer.parseInt(manifest.getProperty("cpus")); cpu++) {
            byte[] raw = Fixtures.bytes(path + "/cpu" + cpu + ".raw");
            List<ByteBuffer> list = new ArrayList<>();
            for (int at = 0; at + page <= raw.length; at += page) {
                list.add(ByteBuffer.wrap(raw, at, page).slice().order(order));
            }
            pages.add(list);
        }
        return new TracefsFixture(header, pages);
    }

    /**
     * A copy whose pages say events were lost before them, as the kernel marks them
     * (ring_buffer.c, RB_MISSED_EVENTS and RB_MISSED_STORED in the commit word): CPU 0's third page
     * without a count, CPU 1's second with 42 stored after its data.
     */
    TracefsFixture withLostEvents() {
        List<List<ByteBuffer>> copy = new ArrayList<>();
        for (List<ByteBuffer> cpu : pages) {
            List<ByteBuffer> list = new ArrayList<>();
            for (ByteBuffer p : cpu) {
                ByteBuffer b = ByteBuffer.allocate(p.remaining()).order(header.order());
                b.put(p.duplicate()).flip();
                list.add(b);
            }
            copy.add(list);
        }
        ByteBuffer noCount = copy.get(0).get(2);
        noCount.putLong(8, noCount.getLong(8) | 1L << 31);
        ByteBuffer stored = copy.get(1).get(1);
        long commit = stored.getLong(8);
        int length = (int) (commit & 0x3fffffff);
        if (16 + length + 8 > stored.capacity()) {
            throw new IllegalStateException("no room for a stored count after " + length + " bytes of data");
        }
        stored.putLong(8, commit | 1L << 31 | 1L << 30);
        stored.putLong(16 + length, 42);
        return new TracefsFixture(header, copy);
    }

    /** Writes a trace.dat file of these pages, with the comm table and options given. */
    void write(Path file, Map<Integer, String> comms, List<TraceDatOption> options) throws IOException {
        try (TraceDatWriter w = TraceDatWriter.create(file, header, pages.size())) {
            for (int cpu = 0; cpu < pages.size(); cpu++) {
                for (ByteBuffer p : pages.get(cpu)) {
                    w.append(cpu, p.duplicate());
                }
            }
            w.finish(comms, options);
        }
    }

    private static String text(String path, String file) {
        return new String(Fixtures.bytes(path + "/" + file), StandardCharsets.UTF_8);
    }
}
