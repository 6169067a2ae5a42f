package org.proctap.source.tracefs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ArrayDeque;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proctap.testing.Fifo;

/** The poller over named pipes standing in for trace_pipe_raw: same open, poll and non-blocking reads. */
class PagePollerTest {
    private static final int SUBBUF = 4096;

    @TempDir
    Path dir;
    private final ChunkQueue queue = new ChunkQueue(4096);
    private final ArrayDeque<Chunk> taken = new ArrayDeque<>();
    private final List<Fifo> fifos = new ArrayList<>();
    private Thread thread;
    private PagePoller poller;

    @AfterEach
    void tearDown() throws Exception {
        if (poller != null) {
            poller.requestStop();
            thread.join(10_000);
        }
        for (Fifo f : fifos) {
            f.close();
        }
    }

    private Fifo fifo(String name) throws Exception {
        Fifo f = new Fifo(dir.resolve(name));
        fifos.add(f);
        return f;
    }

    private PageReader reader(int stream, Path file, Consumer<ByteBuffer> tap) {
        return new PageReader(stream, file, SUBBUF, new PagePool(16), tap);
    }

    private void start(List<PageReader> readers, int pollMs) {
        poller = new PagePoller(readers, queue, pollMs);
        thread = Thread.ofPlatform().name("proctap-read").start(poller);
    }

    private void stop() throws InterruptedException {
        poller.requestStop();
        thread.join(10_000);
        assertThat(thread.isAlive()).as("the poller exits after a stop").isFalse();
    }

    private Chunk next() throws InterruptedException {
        if (taken.isEmpty()) {
            List<Chunk> more = new ArrayList<>();
            queue.takeAll(more, 5_000);
            taken.addAll(more);
        }
        assertThat(taken).as("a chunk within 5 s").isNotEmpty();
        return taken.poll();
    }

    /** Every chunk handed over (after a stop), those taken by {@link #next} included. */
    private List<Chunk> all() throws InterruptedException {
        List<Chunk> all = new ArrayList<>(taken);
        queue.takeAll(all, 0);
        return all;
    }

    /** The chunks of the first drain of every stream: one mark each, in stream order. */
    private void firstMarks(int streams) throws InterruptedException {
        for (int i = 0; i < streams; i++) {
            assertThat(next()).isInstanceOfSatisfying(Chunk.Mark.class, m -> assertThat(m.end()).isFalse());
        }
    }

    @Test
    void aReadableStreamIsDrainedAloneWithoutWaitingForTheTimeout() throws Exception {
        Fifo a = fifo("a");
        Fifo b = fifo("b");
        Fifo c = fifo("c");
        start(List.of(reader(0, a.path(), null), reader(1, b.path(), null), reader(2, c.path(), null)), 1_000);
        firstMarks(3);

        long written = System.nanoTime();
        b.write("page".getBytes(StandardCharsets.US_ASCII));
        Chunk page = next();
        long tookMs = (System.nanoTime() - written) / 1_000_000;
        Chunk mark = next();

        assertThat(page).isInstanceOfSatisfying(Chunk.Page.class, p -> {
            assertThat(p.stream()).isEqualTo(1);
            assertThat(new String(p.data(), 0, p.length(), StandardCharsets.US_ASCII)).isEqualTo("page");
        });
        assertThat(tookMs).as("woken by poll, not the 1 s timeout").isLessThan(500);
        assertThat(mark).as("only the readable stream drained, then its watermark")
                .isInstanceOfSatisfying(Chunk.Mark.class, m -> {
                    assertThat(m.stream()).isEqualTo(1);
                    assertThat(m.watermark()).isGreaterThanOrEqualTo(written - PageReader.COMMIT_SLACK_NS);
                });
    }

    @Test
    void everyStreamsWatermarkAdvancesEveryPollMsWithNothingToRead() throws Exception {
        List<PageReader> readers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            readers.add(reader(i, fifo("s" + i).path(), null));
        }
        start(readers, 20);
        // Five drains of each, by 20 ms timeouts (~100 ms); without them there would be one, and
        // next() would find nothing more within its 5 s. (No sleep-then-count: on a loaded
        // machine the poller may first run long after it was started.)
        List<List<Long>> marks = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        while (marks.stream().anyMatch(m -> m.size() < 5)) {
            if (next() instanceof Chunk.Mark m && !m.end()) {
                marks.get(m.stream()).add(m.watermark());
            }
        }
        stop();
        for (List<Long> m : marks) {
            assertThat(m).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void aStopDrainsEveryStreamThenEndsEachAndClosesItsDescriptor() throws Exception {
        List<Fifo> pipes = List.of(fifo("x"), fifo("y"));
        long openBefore = descriptorsOn(pipes);
        start(List.of(reader(0, pipes.get(0).path(), null), reader(1, pipes.get(1).path(), null)), 50);
        byte[][] written = {"first stream".getBytes(StandardCharsets.US_ASCII), new byte[3 * SUBBUF + 100]};
        for (int i = 0; i < written[1].length; i++) {
            written[1][i] = (byte) i;
        }
        pipes.get(0).write(written[0]);
        pipes.get(1).write(written[1]);
        stop();

        List<Chunk> all = all();
        for (int stream = 0; stream < 2; stream++) {
            int s = stream;
            List<Chunk> mine = all.stream().filter(c -> c.stream() == s).toList();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            mine.stream().filter(Chunk.Page.class::isInstance).map(Chunk.Page.class::cast)
                    .forEach(p -> read.write(p.data(), 0, p.length()));
            assertThat(read.toByteArray()).as("stream %d: everything written, in order", s).isEqualTo(written[s]);
            assertThat(mine.getLast()).as("stream %d ends with its end mark", s)
                    .isEqualTo(new Chunk.Mark(s, Long.MAX_VALUE, true));
            assertThat(mine.stream().filter(c -> c instanceof Chunk.Mark m && m.end())).hasSize(1);
        }
        assertThat(descriptorsOn(pipes)).as("the poller's descriptors are closed").isEqualTo(openBefore);
    }

    @Test
    void aFailingStreamFailsAloneAndTheOthersGoOn() throws Exception {
        Fifo good = fifo("good");
        Path directory = Files.createDirectory(dir.resolve("a-directory")); // read(2): EISDIR
        Path missing = dir.resolve("missing"); // open(2): ENOENT
        start(List.of(reader(0, good.path(), null), reader(1, directory, null), reader(2, missing, null)), 20);
        // (by what is handed over, not by sleeps: on a loaded machine the poller may first run
        // long after it was started)
        List<Chunk> all = new ArrayList<>();
        while (all.stream().filter(c -> c.stream() == 0 && c instanceof Chunk.Mark).count() < 5) {
            all.add(next());
        }
        good.write("after".getBytes(StandardCharsets.US_ASCII));
        while (all.stream().noneMatch(Chunk.Page.class::isInstance)) {
            all.add(next());
        }
        stop();
        all.addAll(all());
        assertThat(all.stream().filter(c -> c.stream() == 1).toList()).singleElement()
                .isInstanceOfSatisfying(Chunk.Failure.class,
                        f -> assertThat(f.error()).isInstanceOf(IOException.class).hasMessageContaining("EISDIR"));
        assertThat(all.stream().filter(c -> c.stream() == 2).toList()).singleElement()
                .isInstanceOfSatisfying(Chunk.Failure.class,
                        f -> assertThat(f.error()).hasMessageContaining("open " + missing).hasMessageContaining("ENOENT"));
        List<Chunk> first = all.stream().filter(c -> c.stream() == 0).toList();
        assertThat(first).filteredOn(Chunk.Mark.class::isInstance).hasSizeGreaterThanOrEqualTo(5);
        assertThat(first).filteredOn(Chunk.Page.class::isInstance).hasSize(1);
        assertThat(first.getLast()).isEqualTo(new Chunk.Mark(0, Long.MAX_VALUE, true));
    }

    @Test
    void theTapSeesEachPageOnThePoller() throws Exception {
        Fifo life = fifo("life");
        List<String> seen = new ArrayList<>();
        start(List.of(reader(0, life.path(), page -> {
            byte[] bytes = new byte[page.remaining()];
            page.get(bytes);
            seen.add(Thread.currentThread().getName() + " " + new String(bytes, StandardCharsets.US_ASCII));
        })), 1_000);
        firstMarks(1);
        life.write("exec".getBytes(StandardCharsets.US_ASCII));
        assertThat(next()).isInstanceOf(Chunk.Page.class);
        stop();
        assertThat(seen).containsExactly("proctap-read exec");
    }

    /** Open descriptors of this process on these paths (the fifos' own write ends included). */
    private static long descriptorsOn(List<Fifo> pipes) throws IOException {
        List<Path> paths = pipes.stream().map(Fifo::path).toList();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return paths.contains(Files.readSymbolicLink(fd));
                } catch (IOException e) {
                    return false; // (closed since it was listed)
                }
            }).count();
        }
    }
}
