package org.proctap.source.tracefs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes a sub-buffer by hand for tests: callers put each header field and record word in order,
 * with a comment saying what it is.
 */
final class PageBytes {
    private final ByteBuffer b;

    PageBytes(int size, ByteOrder order) {
        b = ByteBuffer.allocate(size).order(order);
    }

    static PageBytes littleEndian(int size) {
        return new PageBytes(size, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The first u32 of a record, little-endian bit field layout: type_len in the low 5 bits,
     * time_delta in the upper 27 (struct ring_buffer_event, include/linux/ring_buffer.h).
     */
    static int header(int typeLen, int timeDelta) {
        return timeDelta << 5 | typeLen;
    }

    /** The same u32 as a big-endian kernel lays it out: type_len in the top 5 bits. */
    static int headerBigEndian(int typeLen, int timeDelta) {
        return typeLen << 27 | timeDelta;
    }

    PageBytes u8(int v) {
        b.put((byte) v);
        return this;
    }

    PageBytes u16(int v) {
        b.putShort((short) v);
        return this;
    }

    PageBytes u32(int v) {
        b.putInt(v);
        return this;
    }

    PageBytes u64(long v) {
        b.putLong(v);
        return this;
    }

    /** {@code bytes.length} bytes of ASCII, no terminator (add it with u8(0)). */
    PageBytes ascii(String s) {
        b.put(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return this;
    }

    /** Zero bytes up to {@code offset}. */
    PageBytes padTo(int offset) {
        b.position(offset);
        return this;
    }

    int position() {
        return b.position();
    }

    /** The whole sub-buffer, position 0, limit its size, in the order it was written. */
    ByteBuffer page() {
        return b.duplicate().order(b.order()).clear();
    }
}
