package org.proctap.source.tracefs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded hand-over from the reader to the processing thread, a batch at a time. Handed over
 * one by one, every chunk put while the processing thread waited woke it, and on a shared CPU it
 * ran at once for the little there was: 5 000-7 000 wake-ups in a 2.3 s pipe storm (one every few
 * pages), ~600 in batches. A full drain of 3 x 128 idle streams is 384 watermarks: one wake-up.
 */
final class ChunkQueue {
    /** Chunks a reader gathers before it hands them over (256 KB of 4 KB pages). */
    static final int BATCH = 64;

    private final int capacity;
    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    /** The processing thread is gone: nothing will take chunks any more. */
    private boolean abandoned;

    /** @param capacity chunks held at most, but for a batch put into an empty queue and failures */
    ChunkQueue(int capacity) {
        this.capacity = capacity;
    }

    /** Adds the whole batch at once, waiting while it would not fit. */
    void putAll(List<Chunk> batch) throws InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        lock.lockInterruptibly();
        try {
            while (!abandoned && !chunks.isEmpty() && chunks.size() + batch.size() > capacity) {
                notFull.await();
            }
            if (abandoned) {
                return; // (a reader must not wait for ever to hand pages to nobody: it closes its files)
            }
            chunks.addAll(batch);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The processing thread ended for good: from now on chunks are dropped, and no put waits. */
    void abandon() {
        lock.lock();
        try {
            abandoned = true;
            chunks.clear();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Adds one chunk without waiting, beyond the capacity if need be (a reader's failure). */
    void add(Chunk chunk) {
        lock.lock();
        try {
            chunks.add(chunk);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code timeoutMs} for chunks, then moves all of them into {@code into}; how many. */
    int takeAll(List<Chunk> into, long timeoutMs) throws InterruptedException {
        long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        lock.lockInterruptibly();
        try {
            while (chunks.isEmpty()) {
                if (nanos <= 0) {
                    return 0;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            int n = chunks.size();
            into.addAll(chunks);
            chunks.clear();
            notFull.signalAll();
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** A reader's batch: chunks go to the queue every {@link #BATCH}, and at {@link #flush}. */
    final class Batch {
        private final List<Chunk> pending = new ArrayList<>(BATCH);

        void add(Chunk chunk) throws InterruptedException {
            pending.add(chunk);
            if (pending.size() >= BATCH) {
                flush();
            }
        }

        void flush() throws InterruptedException {
            putAll(pending);
            pending.clear();
        }
    }
}
