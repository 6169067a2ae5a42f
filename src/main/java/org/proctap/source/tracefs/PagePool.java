package org.proctap.source.tracefs;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * Sub-buffer copies handed back by the processing thread once decoded, for the readers to copy
 * the next ones into. Without it every page read is a new 4 KB array: on a context-switch storm
 * that was ~45% of everything proctap allocated, and the pages still queued at a young
 * collection were copied, then promoted, filling the old generation up to the heap's limit.
 * Bounded: beyond {@code capacity} free pages a returned one is left to the collector. Safe for
 * any number of threads.
 */
final class PagePool {
    private final ArrayBlockingQueue<byte[]> free;

    PagePool(int capacity) {
        free = new ArrayBlockingQueue<>(capacity);
    }

    /** A free array of at least {@code size} bytes (contents undefined), or a new one. */
    byte[] take(int size) {
        byte[] page = free.poll();
        return page != null && page.length >= size ? page : new byte[size];
    }

    /** Returns an array nothing refers to any more. */
    void give(byte[] page) {
        free.offer(page);
    }
}
