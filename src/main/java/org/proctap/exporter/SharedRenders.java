package org.proctap.exporter;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;

/**
 * A bounded number of renders at once, and one render for every scrape of a key that waits for
 * it: a scrape joins the render of its key that has not begun yet (or starts one), so the
 * scrapes that come during a render all get the next one, and N scrapes at once cost two
 * renders, not N in a queue. Every scrape is answered by a render that began after it came, so
 * none is shown older figures than it would have been alone.
 *
 * <p>This is what keeps a crowd from queueing scrapes behind each other's renders. The JDK's
 * server hands over as complete a request whose client hung up before the blank line that ends
 * its headers (sun.net.httpserver.Request.headers() takes the end of the stream as the end of
 * the headers), so 200 clients that send half a request and close are 200 GETs of /metrics at
 * once, whose answers no one reads.
 *
 * @param <K> what tells requests with different answers apart
 * @param <V> a response, never written after it is made (its scrapes send it at once)
 */
final class SharedRenders<K, V> {
    /** What makes one response, run by the scrape that started the batch. */
    interface Render<V> {
        V run() throws IOException;
    }

    /** Fair: batches get a render in the order their first scrape came. */
    private final Semaphore slots;
    /** Per key, the batch that has not begun rendering yet. */
    private final Map<K, CompletableFuture<V>> waiting = new HashMap<>();

    SharedRenders(int atOnce) {
        this.slots = new Semaphore(atOnce, true);
    }

    /** The response to a scrape of {@code key}: made by {@code render}, or by another's. */
    V get(K key, Render<V> render) throws IOException {
        CompletableFuture<V> batch;
        boolean first;
        synchronized (waiting) {
            batch = waiting.get(key);
            first = batch == null;
            if (first) {
                batch = new CompletableFuture<>();
                waiting.put(key, batch);
            }
        }
        if (first) {
            slots.acquireUninterruptibly();
            try {
                synchronized (waiting) {
                    waiting.remove(key, batch); // who comes from now on waits for the next render
                }
                batch.complete(render.run());
            } catch (Throwable t) {
                batch.completeExceptionally(t); // the batch's other scrapes must not wait forever
                if (t instanceof Error e) {
                    throw e;
                }
            } finally {
                slots.release();
            }
        }
        try {
            return batch.join();
        } catch (CompletionException e) {
            // a new exception on each scrape's thread: they all share the one cause
            throw new IOException("render failed", e.getCause());
        }
    }
}
