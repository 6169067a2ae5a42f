package org.proctap.source.tracefs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.proctap.event.Event;

/**
 * Merges the per-CPU streams of both instances into one sequence in timestamp order. Each stream
 * is in order by itself; an event may be emitted once no other stream can still produce an
 * earlier one: every other stream either has a later event waiting or has promised (watermark)
 * that nothing earlier will come. Pages are decoded lazily, one at a time, on this thread.
 */
final class StreamMerger {
    /** Receives merged events; lost-event marks come in time order too. */
    interface Sink {
        void onEvent(Event event);

        void onLost(int stream, int cpu, long ts, long count);
    }

    /** Which decoded events go on: the same record may come from both instances. */
    interface Gate {
        boolean keep(int stream, Event event);
    }

    /** A page said events were lost before it. */
    private record Lost(long ts, int cpu, long count) {
    }

    private static final class Stream {
        final int id;
        final int cpu;
        final ArrayDeque<Chunk.Page> pages = new ArrayDeque<>();
        final List<Object> items = new ArrayList<>();
        /** Each item's timestamp, read without a call through Event for every comparison. */
        long[] times = new long[256];
        int pos;
        long watermark = Long.MIN_VALUE;
        boolean ended;

        Stream(int id, int cpu) {
            this.id = id;
            this.cpu = cpu;
        }
    }

    private final Stream[] streams;
    private final PageDecoder pageDecoder;
    private final EventDecoder eventDecoder;
    private final PagePool pool;
    private final Gate gate;

    /**
     * @param streamCpus the CPU of each stream, by stream id
     * @param pool       where page arrays go once decoded (events keep no reference to them)
     */
    StreamMerger(int[] streamCpus, PageDecoder pageDecoder, EventDecoder eventDecoder, PagePool pool) {
        this(streamCpus, pageDecoder, eventDecoder, pool, (stream, event) -> true);
    }

    StreamMerger(int[] streamCpus, PageDecoder pageDecoder, EventDecoder eventDecoder, PagePool pool, Gate gate) {
        streams = new Stream[streamCpus.length];
        for (int i = 0; i < streamCpus.length; i++) {
            streams[i] = new Stream(i, streamCpus[i]);
        }
        this.pageDecoder = pageDecoder;
        this.eventDecoder = eventDecoder;
        this.pool = pool;
        this.gate = gate;
    }

    void accept(Chunk chunk) {
        Stream s = streams[chunk.stream()];
        switch (chunk) {
            case Chunk.Page p -> s.pages.add(p);
            case Chunk.Mark m -> {
                if (m.end()) {
                    s.ended = true;
                } else if (m.watermark() > s.watermark) {
                    s.watermark = m.watermark();
                }
            }
            case Chunk.Failure f -> throw new IllegalStateException("reader failed", f.error());
        }
    }

    boolean allEnded() {
        for (Stream s : streams) {
            if (!s.ended || hasHead(s)) {
                return false;
            }
        }
        return true;
    }

    /** Timestamp of the stream's next item, decoding its next page if needed; MAX_VALUE if none. */
    private boolean hasHead(Stream s) {
        while (s.pos >= s.items.size()) {
            Chunk.Page page = s.pages.poll();
            if (page == null) {
                return false;
            }
            decode(s, page);
        }
        return true;
    }

    private void decode(Stream s, Chunk.Page page) {
        s.items.clear();
        s.pos = 0;
        ByteBuffer buf = ByteBuffer.wrap(page.data(), 0, page.length()).order(ByteOrder.nativeOrder());
        PageSummary summary = pageDecoder.decode(buf, (ts, data, offset, length) -> {
            Event e = eventDecoder.decode(ts, s.cpu, data, offset, length);
            if (e != null && gate.keep(s.id, e)) {
                s.items.add(e);
            }
        });
        if (summary.eventsLost()) {
            s.items.add(0, new Lost(summary.timestamp(), s.cpu, summary.lostCount()));
        }
        if (s.times.length < s.items.size()) {
            s.times = new long[Math.max(s.items.size(), 2 * s.times.length)];
        }
        for (int i = 0; i < s.items.size(); i++) {
            s.times[i] = s.items.get(i) instanceof Event e ? e.ts() : ((Lost) s.items.get(i)).ts();
        }
        pool.give(page.data());
    }

    private static long headTs(Stream s) {
        return s.times[s.pos];
    }

    /**
     * The time before which every event has been emitted or is ready: no stream can produce an
     * earlier one any more.
     */
    long horizon() {
        long h = Long.MAX_VALUE;
        for (Stream s : streams) {
            long bound = hasHead(s) ? headTs(s) : (s.ended ? Long.MAX_VALUE : s.watermark);
            h = Math.min(h, bound);
        }
        return h;
    }

    /** Emits, in order, every event that can be ordered now and is stamped before {@code limit}. */
    void drain(long limit, Sink sink) {
        while (true) {
            Stream best = null;
            long bestTs = Long.MAX_VALUE;
            long other = Long.MAX_VALUE; // earliest anything else could be
            for (Stream s : streams) {
                long bound;
                if (hasHead(s)) {
                    bound = headTs(s);
                    if (bound < bestTs) {
                        if (best != null) {
                            other = Math.min(other, bestTs);
                        }
                        best = s;
                        bestTs = bound;
                        continue;
                    }
                } else {
                    bound = s.ended ? Long.MAX_VALUE : s.watermark;
                }
                other = Math.min(other, bound);
            }
            if (best == null || bestTs >= limit || bestTs > other) {
                return;
            }
            // Emit a run from the best stream while it stays ahead of everything else.
            long until = Math.min(other, limit);
            do {
                Object item = best.items.get(best.pos++);
                if (item instanceof Event e) {
                    sink.onEvent(e);
                } else {
                    Lost lost = (Lost) item;
                    sink.onLost(best.id, lost.cpu(), lost.ts(), lost.count());
                }
            } while (hasHead(best) && headTs(best) <= until && headTs(best) < limit);
        }
    }
}
