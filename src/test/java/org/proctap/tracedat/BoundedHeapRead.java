package org.proctap.tracedat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Iterator;

import org.proctap.source.tracefs.EventHeader;
import org.proctap.source.tracefs.PageDecoder;
import org.proctap.source.tracefs.PageLayout;

/**
 * Run in a JVM of its own with a small -Xmx by {@link LargeFiles}: reads every page of a trace.dat
 * file and decodes every record, then prints "PAGES RECORDS MILLIS".
 */
public final class BoundedHeapRead {
    private BoundedHeapRead() {
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        long pages = 0;
        long[] records = {0};
        try (TraceDatReader r = TraceDatReader.open(FileChannel.open(Path.of(args[0])))) {
            TraceDatHeader h = r.header();
            PageDecoder decoder = new PageDecoder(PageLayout.parse(h.headerPage()), EventHeader.parse(h.headerEvent()),
                    h.order());
            for (int i = 0; i < r.cpuCount(); i++) {
                for (Iterator<ByteBuffer> it = r.subBuffers(i); it.hasNext(); ) {
                    decoder.decode(it.next(), (ts, b, at, length) -> records[0]++);
                    pages++;
                }
            }
        }
        System.out.println(pages + " " + records[0] + " " + (System.nanoTime() - start) / 1_000_000);
    }
}
