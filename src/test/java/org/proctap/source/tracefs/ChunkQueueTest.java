package org.proctap.source.tracefs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class ChunkQueueTest {
    private static List<Chunk> marks(int stream, int count) {
        List<Chunk> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new Chunk.Mark(stream, i, false));
        }
        return out;
    }

    @Test
    void aBatchIsTakenWholeAndInOrder() throws Exception {
        ChunkQueue q = new ChunkQueue(100);
        q.putAll(marks(0, 3));
        q.putAll(marks(1, 2));
        List<Chunk> into = new ArrayList<>();
        assertThat(q.takeAll(into, 0)).isEqualTo(5);
        assertThat(into).containsExactly(marks(0, 3).get(0), marks(0, 3).get(1), marks(0, 3).get(2),
                marks(1, 2).get(0), marks(1, 2).get(1));
        assertThat(q.takeAll(into, 10)).as("empty: a timeout").isZero();
    }

    @Test
    void aBatchThatDoesNotFitWaitsForTheTakerButAnEmptyQueueTakesAnyBatch() throws Exception {
        ChunkQueue q = new ChunkQueue(4);
        q.putAll(marks(0, 6)); // (larger than the capacity, into an empty queue: no deadlock)
        CompletableFuture<Void> put = putLater(q, marks(1, 1));
        Thread.sleep(100);
        assertThat(put).as("7 chunks do not fit in 4").isNotDone();
        List<Chunk> into = new ArrayList<>();
        assertThat(q.takeAll(into, 0)).isEqualTo(6);
        put.get(5, TimeUnit.SECONDS);
        assertThat(q.takeAll(into, 0)).isEqualTo(1);
    }

    /** The processing thread died: a reader waiting to hand over pages goes on (to close its files). */
    @Test
    void anAbandonedQueueReleasesAWaitingReaderAndTakesNothingMore() throws Exception {
        ChunkQueue q = new ChunkQueue(4);
        q.putAll(marks(0, 4));
        CompletableFuture<Void> put = putLater(q, marks(1, 1));
        Thread.sleep(100);
        assertThat(put).as("5 chunks do not fit in 4").isNotDone();
        q.abandon();
        put.get(5, TimeUnit.SECONDS);
        q.putAll(marks(2, 8));
        assertThat(q.takeAll(new ArrayList<>(), 0)).as("chunks held after it was abandoned").isZero();
    }

    @Test
    void aFailureIsAddedEvenWhenFull() throws Exception {
        ChunkQueue q = new ChunkQueue(1);
        q.putAll(marks(0, 1));
        q.add(new Chunk.Failure(2, new IllegalStateException("x")));
        List<Chunk> into = new ArrayList<>();
        assertThat(q.takeAll(into, 0)).isEqualTo(2);
        assertThat(into.getLast()).isInstanceOf(Chunk.Failure.class);
    }

    @Test
    void aReadersBatchGoesOverEverySixtyFourChunksAndAtTheFlush() throws Exception {
        ChunkQueue q = new ChunkQueue(4096);
        ChunkQueue.Batch batch = q.new Batch();
        List<Chunk> into = new ArrayList<>();
        for (Chunk c : marks(0, ChunkQueue.BATCH + 1)) {
            batch.add(c);
        }
        assertThat(q.takeAll(into, 0)).isEqualTo(ChunkQueue.BATCH);
        batch.flush();
        assertThat(q.takeAll(into, 0)).isEqualTo(1);
        batch.flush();
        assertThat(q.takeAll(into, 0)).as("nothing pending: nothing handed over").isZero();
    }

    /** {@code q.putAll(batch)} on another thread, which may have to wait. */
    private static CompletableFuture<Void> putLater(ChunkQueue q, List<Chunk> batch) {
        return CompletableFuture.runAsync(() -> {
            try {
                q.putAll(batch);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
    }
}
