package org.proctap.source.tracefs;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    /** Strings of up to this many bytes (TASK_COMM_LEN, a comm) are read as two longs. */
    private static final int WORDS_LENGTH = 16;
    private static final VarHandle LONG_LE = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private record Entry(byte[] bytes, String string) {
    }

    /** A string of at most 16 bytes, by its bytes as two little-endian words (zero past its end). */
    private record Words(long w0, long w1, int length, String string) {
    }

    private final Entry[] entries = new Entry[SLOTS];
    private final Words[] words = new Words[SLOTS];

    /**
     * The string at {@code start}, up to the first NUL or {@code maxLength} bytes, whichever comes
     * first. Bytes are decoded as UTF-8 (the kernel does not care, user space mostly writes UTF-8).
     */
    String get(ByteBuffer b, int start, int maxLength) {
        if (maxLength <= WORDS_LENGTH && start >= 0 && start + WORDS_LENGTH <= b.limit()) {
            return getWords(b, start, maxLength);
        }
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

    /**
     * A comm, 16 bytes read as two words (the bytes past maxLength, inside the buffer, are read
     * and masked off): its length is where the first zero byte is, found a word at a time.
     */
    private String getWords(ByteBuffer b, int start, int maxLength) {
        long w0 = (long) LONG_LE.get(b, start);
        long w1 = (long) LONG_LE.get(b, start + 8);
        int length = Math.min(maxLength, zeroAt(w0) < 8 ? zeroAt(w0) : 8 + zeroAt(w1));
        if (length == 0) {
            return "";
        }
        w0 = length >= 8 ? w0 : w0 & ((1L << (8 * length)) - 1);
        w1 = length <= 8 ? 0 : length >= 16 ? w1 : w1 & ((1L << (8 * (length - 8))) - 1);
        long h = (w0 * 0x9E3779B97F4A7C15L) ^ (w1 + length);
        h *= 0xC2B2AE3D27D4EB4FL;
        int slot = (int) (h >>> 54) & (SLOTS - 1);
        Words e = words[slot];
        if (e != null && e.w0 == w0 && e.w1 == w1 && e.length == length) {
            return e.string;
        }
        String s = decode(b, start, length);
        words[slot] = new Words(w0, w1, length, s);
        return s;
    }

    /** The index of the first zero byte of a little-endian word, 8 if none. */
    static int zeroAt(long w) {
        long z = (w - ONES) & ~w & HIGHS; // (exact at the lowest zero byte; a borrow only affects bytes above it)
        return z == 0 ? 8 : Long.numberOfTrailingZeros(z) >>> 3;
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
