package org.proctap.tracedat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Writes a large trace.dat file by repeating the pages of a real recording, then has a JVM with a
 * heap far smaller than the file read and decode all of it: the writer and the reader stream.
 */
final class LargeFiles {
    private LargeFiles() {
    }

    /** Returns {pages, records} as the child JVM counted them, after checking them. */
    static long[] writeAndReadInSmallHeap(Path dir, long bytes, String heap) throws IOException, InterruptedException {
        TracefsFixture fixture = TracefsFixture.load("fixtures/linux-6.18/process-lifecycle");
        Path file = dir.resolve("large.dat");
        int page = fixture.header().pageSize();
        long rounds = bytes / page / fixture.pages().stream().mapToInt(List::size).sum();
        try (TraceDatWriter w = TraceDatWriter.create(file, fixture.header(), fixture.pages().size())) {
            for (long n = 0; n < rounds; n++) {
                for (int cpu = 0; cpu < fixture.pages().size(); cpu++) {
                    for (ByteBuffer p : fixture.pages().get(cpu)) {
                        w.append(cpu, p.duplicate());
                    }
                }
            }
            w.finish(Map.of(), List.of());
        }
        long expectedPages = rounds * fixture.pages().stream().mapToInt(List::size).sum();
        assertThat(Files.size(file)).isGreaterThan(expectedPages * page);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx" + heap, "-cp", System.getProperty("java.class.path"),
                BoundedHeapRead.class.getName(), file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(600, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("child JVM with -Xmx" + heap + ": " + out).isZero();
        Files.delete(file);
        String[] f = out.lines().reduce((a, b) -> b).orElseThrow().split(" ");
        long[] counted = {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
        assertThat(counted[0]).isEqualTo(expectedPages);
        // process-lifecycle's pages hold 990 records (its README), 12 pages.
        assertThat(counted[1]).isEqualTo(rounds * 990);
        System.out.printf("%d-byte trace.dat read and decoded in -Xmx%s: %d pages, %d records, %d ms%n",
                bytes, heap, counted[0], counted[1], counted[2]);
        return counted;
    }
}
