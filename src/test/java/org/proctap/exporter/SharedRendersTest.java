package org.proctap.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SharedRendersTest {
    private static final String GET = "GET /metrics";
    private static final String GZIP = "GET /metrics, gzip";

    /** A response: only its identity matters here. */
    private record Response(int n) {
    }

    /** A render that counts itself and, while {@code gate} is shut, waits for it. */
    private static final class Renders {
        final AtomicInteger count = new AtomicInteger();
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch gate;

        Renders(CountDownLatch gate) {
            this.gate = gate;
        }

        Response run() {
            count.incrementAndGet();
            started.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return new Response(count.get());
        }
    }

    private static Future<Response> scrape(SharedRenders<String, Response> shared, String key, Renders renders,
                                                 List<Thread> threads) {
        FutureTask<Response> task = new FutureTask<>(() -> shared.get(key, renders::run));
        Thread t = Thread.ofVirtual().start(task);
        threads.add(t);
        return task;
    }

    /** Until every thread waits (for the render slot or for a render to end). */
    private static void awaitParked(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (threads.stream().anyMatch(t -> t.getState() != Thread.State.WAITING)) {
            assertThat(System.nanoTime()).as("threads parked within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    @Timeout(30)
    void scrapesThatCameDuringARenderShareTheNextOne() throws Exception {
        SharedRenders<String, Response> shared = new SharedRenders<>(1);
        CountDownLatch gate = new CountDownLatch(1);
        Renders renders = new Renders(gate);
        List<Thread> first = new ArrayList<>();
        Future<Response> early = scrape(shared, GET, renders, first);
        assertThat(renders.started.await(10, TimeUnit.SECONDS)).isTrue();

        List<Thread> waiting = new ArrayList<>();
        List<Future<Response>> late = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            late.add(scrape(shared, GET, renders, waiting));
        }
        awaitParked(waiting);
        gate.countDown();

        Response one = early.get();
        Response two = late.getFirst().get();
        for (Future<Response> f : late) {
            assertThat(f.get()).as("every late scrape: the render after the one it came during").isSameAs(two);
        }
        assertThat(two).as("not the render that had begun before they came").isNotSameAs(one);
        assertThat(renders.count).as("renders for 201 scrapes").hasValue(2);
    }

    @Test
    @Timeout(30)
    void scrapesOfDifferentKeysAreRenderedApart() throws Exception {
        SharedRenders<String, Response> shared = new SharedRenders<>(1);
        Renders renders = new Renders(new CountDownLatch(0));
        List<Thread> threads = new ArrayList<>();
        Response plain = scrape(shared, GET, renders, threads).get();
        Response gzip = scrape(shared, GZIP, renders, threads).get();
        assertThat(gzip).isNotSameAs(plain);
        assertThat(renders.count).hasValue(2);
    }

    @Test
    @Timeout(30)
    void aScrapeAloneGetsARenderOfItsOwn() throws Exception {
        SharedRenders<String, Response> shared = new SharedRenders<>(1);
        Renders renders = new Renders(new CountDownLatch(0));
        List<Thread> threads = new ArrayList<>();
        Response a = scrape(shared, GET, renders, threads).get();
        Response b = scrape(shared, GET, renders, threads).get();
        assertThat(b).as("a scrape after another has ended: newer figures").isNotSameAs(a);
        assertThat(renders.count).hasValue(2);
    }

    @Test
    @Timeout(30)
    void aFailedRenderFailsItsScrapesAndTheNextScrapeRendersAgain() throws Exception {
        SharedRenders<String, Response> shared = new SharedRenders<>(1);
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> shared.get(GET, () -> {
            calls.incrementAndGet();
            throw new IOException("no frame");
        })).isInstanceOf(IOException.class).hasRootCauseMessage("no frame");
        assertThatThrownBy(() -> shared.get(GET, () -> {
            throw new IllegalStateException("a collector's bug");
        })).isInstanceOf(IOException.class).hasRootCauseMessage("a collector's bug");
        Response ok = shared.get(GET, () -> new Response(0));
        assertThat(ok).isNotNull();
        assertThat(calls).hasValue(1);
    }

    @Test
    @Timeout(30)
    void anErrorInARenderIsThrownOnAndTheSlotIsFreedForTheNext() throws Exception {
        SharedRenders<String, Response> shared = new SharedRenders<>(1);
        assertThatThrownBy(() -> shared.get(GET, () -> {
            throw new OutOfMemoryError("a render too large");
        })).isInstanceOf(OutOfMemoryError.class);
        assertThat(shared.get(GZIP, () -> new Response(0))).isNotNull();
    }
}
