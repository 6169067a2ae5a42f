package org.proctap.timeline;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only run of unsigned LEB128 varints (7 bits a byte, low bits first, the high bit set on
 * every byte but a value's last: the encoding of protobuf and DWARF). Small values cost one byte, so
 * the deltas of a timeline take 4-6 bytes a slice. Held in chunks of 64 KiB once past the first, so
 * that growing never copies more than one chunk and a recording costs its bytes and little else.
 */
final class VarintBuffer {
    private static final int CHUNK = 1 << 16;

    private final List<byte[]> full = new ArrayList<>();
    private byte[] current = new byte[64];
    private int used;
    private long size;

    /** Appends {@code value}, which must not be negative. */
    void put(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative varint " + value);
        }
        while (value >= 0x80) {
            putByte((byte) (value | 0x80));
            value >>>= 7;
        }
        putByte((byte) value);
    }

    private void putByte(byte b) {
        if (used == current.length) {
            if (current.length < CHUNK) {
                current = java.util.Arrays.copyOf(current, current.length * 2);
            } else {
                full.add(current);
                current = new byte[CHUNK];
                used = 0;
            }
        }
        current[used++] = b;
        size++;
    }

    /** Bytes appended so far. */
    long size() {
        return size;
    }

    void writeTo(OutputStream out) throws IOException {
        for (byte[] chunk : full) {
            out.write(chunk);
        }
        out.write(current, 0, used);
    }
}
