package org.proctap.tracedat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** A growable byte buffer in the file's byte order, for the metadata {@link TraceDatWriter} writes. */
final class HeaderBytes {
    private ByteBuffer b;

    HeaderBytes(ByteOrder order) {
        b = ByteBuffer.allocate(64 * 1024).order(order);
    }

    private void room(int n) {
        if (b.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + n)).order(b.order());
            b.flip();
            bigger.put(b);
            b = bigger;
        }
    }

    HeaderBytes u8(int v) {
        room(1);
        b.put((byte) v);
        return this;
    }

    HeaderBytes u16(int v) {
        room(2);
        b.putShort((short) v);
        return this;
    }

    HeaderBytes u32(long v) {
        room(4);
        b.putInt((int) v);
        return this;
    }

    HeaderBytes u64(long v) {
        room(8);
        b.putLong(v);
        return this;
    }

    HeaderBytes bytes(byte[] v) {
        room(v.length);
        b.put(v);
        return this;
    }

    /** The string's bytes and a NUL. */
    HeaderBytes cstring(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8)).u8(0);
    }

    /** A u64 length and the text, no NUL (how trace-cmd stores header_page and the formats). */
    HeaderBytes sized64(String s) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        return u64(v.length).bytes(v);
    }

    int size() {
        return b.position();
    }

    ByteBuffer flipped() {
        return b.duplicate().flip();
    }
}
