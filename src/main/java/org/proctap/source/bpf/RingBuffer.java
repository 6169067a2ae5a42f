package org.proctap.source.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.proctap.sys.Errno;

/**
 * A consumer of a BPF_MAP_TYPE_RINGBUF map (libbpf struct ring_buffer): {@link #poll} waits
 * on the ring's epoll fd and hands every record to a {@link Handler} through an upcall.
 *
 * <p>Threading: poll and consume must run on one dedicated platform thread (an upcall on a
 * virtual thread would pin its carrier for the whole epoll_wait; this class refuses it). Poll
 * with a timeout (e.g. 100 ms) and check a stop flag between polls; the record segment is only
 * valid during {@link Handler#onRecord} — copy out what you need. {@link #close()} may be
 * called from another thread: it waits for a running poll to return.
 *
 * <p>A handler that throws stops the current poll; poll() then rethrows that exception (an
 * exception escaping an upcall would kill the JVM, so it is caught inside and carried over).
 * The record it failed on counts as consumed.
 *
 * <p>Records the BPF side could not reserve because the ring was full are lost on the BPF side
 * (bpf_ringbuf_reserve returns NULL): count them there.
 */
public final class RingBuffer implements AutoCloseable {
    /** Receives one record; {@code record} is only valid during the call. */
    @FunctionalInterface
    public interface Handler {
        void onRecord(MemorySegment record);
    }

    private static final MethodHandle SAMPLE;

    static {
        try {
            SAMPLE = MethodHandles.lookup().findVirtual(RingBuffer.class, "sample",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final BpfMap map;
    private final Libbpf lib;
    private final Handler handler;
    private final Arena arena = Arena.ofShared(); // the upcall stub; freed after ring_buffer__free
    private final ReentrantLock lock = new ReentrantLock();
    private MemorySegment rb;
    private Throwable failure;
    private boolean inCallback;
    private boolean closeRequested;
    private long records;

    private RingBuffer(BpfMap map, Handler handler) {
        this.map = map;
        this.lib = map.owner().libbpf();
        this.handler = handler;
    }

    /** Opens a consumer on a loaded ring-buffer map; the map's object owns it (closes it first). */
    public static RingBuffer open(BpfMap map, Handler handler) {
        if (map.type() != BpfMap.TYPE_RINGBUF) {
            throw new IllegalArgumentException("map '" + map.name() + "' is not a ring buffer (type " + map.type() + ")");
        }
        int fd = map.fd();
        RingBuffer ring = new RingBuffer(map, handler);
        MemorySegment callback = Linker.nativeLinker().upcallStub(SAMPLE.bindTo(ring),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                ring.arena);
        try (Arena temp = Arena.ofConfined(); LibbpfLog.Capture log = LibbpfLog.capture()) {
            MemorySegment errno = Libbpf.errnoState(temp);
            MemorySegment rb = ring.lib.ringBufferNew(errno, fd, callback, MemorySegment.NULL, MemorySegment.NULL);
            if (rb.equals(MemorySegment.NULL)) {
                ring.arena.close();
                throw new LibbpfException("ring_buffer__new", Libbpf.errno(errno), "map '" + map.name() + "'",
                        log.tail(BpfObject.LOG_TAIL));
            }
            ring.rb = rb;
        }
        map.owner().own(ring);
        return ring;
    }

    // int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size); runs inside poll/consume.
    private int sample(MemorySegment ctx, MemorySegment data, long size) {
        try {
            handler.onRecord(data.reinterpret(size));
            records++;
            return 0;
        } catch (Throwable t) {
            if (failure == null) {
                failure = t;
            }
            return -1; // libbpf stops this poll and returns the error
        }
    }

    /**
     * Waits up to {@code timeoutMs} (-1: forever, 0: no wait) for records and handles all that are
     * ready. Returns how many were handled; 0 on timeout or when a signal interrupted the wait.
     */
    public int poll(int timeoutMs) {
        return drive(true, timeoutMs);
    }

    /** Handles every record that is ready, without waiting. */
    public int consume() {
        return drive(false, 0);
    }

    private int drive(boolean wait, int timeoutMs) {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("poll the ring buffer from a dedicated platform thread, not a virtual thread");
        }
        lock.lock();
        try {
            if (inCallback) {
                throw new IllegalStateException("ring buffer polled from inside its own handler");
            }
            if (rb == null) {
                throw new IllegalStateException("ring buffer of map '" + map.name() + "' is closed");
            }
            long before = records;
            int n;
            inCallback = true;
            try {
                n = wait ? lib.ringBufferPoll(rb, timeoutMs) : lib.ringBufferConsume(rb);
            } finally {
                inCallback = false;
            }
            Throwable f = failure;
            if (f != null) {
                failure = null;
                if (f instanceof RuntimeException re) {
                    throw re;
                }
                if (f instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException("ring buffer handler failed", f);
            }
            if (n == -Errno.EINTR) {
                return (int) (records - before);
            }
            if (n < 0) {
                throw new LibbpfException(wait ? "ring_buffer__poll" : "ring_buffer__consume", n,
                        "map '" + map.name() + "'", List.of());
            }
            return n;
        } finally {
            if (closeRequested) {
                free();
            }
            lock.unlock();
        }
    }

    /** Records handed to the handler so far. */
    public long records() {
        return records;
    }

    public boolean isOpen() {
        lock.lock();
        try {
            return rb != null && !closeRequested;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Frees the ring buffer (ring_buffer__free). Idempotent; waits for a poll running on another
     * thread to return. Called from inside the handler, it takes effect when that poll returns.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (inCallback) {
                closeRequested = true; // freeing it under libbpf's feet would crash
                return;
            }
            free();
        } finally {
            lock.unlock();
        }
    }

    private void free() {
        if (rb != null) {
            lib.ringBufferFree(rb);
            rb = null;
            arena.close();
            map.owner().forget(this);
        }
    }

    @Override
    public String toString() {
        return "RingBuffer[" + map.name() + ", " + records + " records]";
    }
}
