package org.proctap.source.tracefs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Turns NUL-terminated byte strings of event records (comms, mostly) into Strings without
 * allocating when the same bytes were seen recently: a direct-mapped table keyed by the bytes.
 * A trace names the same few dozen tasks over and over, so nearly every lookup hits.
 *
 * <p>Safe to share between threads without locking: an entry is immutable and published through a
 * plain array store, so a reader sees either some complete entry or null; a lost race costs one
 * extra allocation, never a wrong string.
 */
final class StringCache {
    /** Longer strings (exec file names) are rare per event and not worth a slot. */
    static final int MAX_CACHED_LENGTH = 64;
    private static final int SLOTS = 1024; // a power of two

    private record Entry(byte[] bytes, String string) {
    }

    private final Entry[] entries = new Entry[SLOTS];

    /**
     * The string at {@code start}, up to the first NUL or {@code maxLength} bytes, whichever comes
     * first. Bytes are decoded as UTF-8 (the kernel does not care, user space mostly writes UTF-8).
     */
    String get(ByteBuffer b, int start, int maxLength) {
        int hash = 0;
        int length = 0;
        while (length < maxLength) {
            byte c = b.get(start + length);
            if (c == 0) {
                break;
            }
            hash = 31 * hash + c;
            length++;
        }
        if (length == 0) {
            return "";
        }
        if (length > MAX_CACHED_LENGTH) {
            return decode(b, start, length);
        }
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        Entry e = entries[slot];
        if (e != null && matches(e.bytes, b, start, length)) {
            return e.string;
        }
        byte[] copy = new byte[length];
        b.get(start, copy);
        String s = new String(copy, StandardCharsets.UTF_8);
        entries[slot] = new Entry(copy, s);
        return s;
    }

    private static boolean matches(byte[] bytes, ByteBuffer b, int start, int length) {
        if (bytes.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (bytes[i] != b.get(start + i)) {
                return false;
            }
        }
        return true;
    }

    private static String decode(ByteBuffer b, int start, int length) {
        byte[] copy = new byte[length];
        b.get(start, copy);
        return new String(copy, StandardCharsets.UTF_8);
    }
}
