package org.proctap.tracedat;

import static org.proctap.tracedat.TraceDatException.hex;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Sequential, bounds-checked reads of the metadata of a trace.dat file from a channel, through a
 * small buffer. Every length read from the file is checked against what is left of the file
 * before anything is allocated or looped over, so a corrupt count cannot make a reader allocate
 * more than the file holds or loop longer than its size; every failure names the offset.
 */
final class ChannelInput {
    private static final int BUFFER = 64 * 1024;

    private final SeekableByteChannel channel;
    private final long size;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
    /** File offset of buffer index 0. */
    private long bufferStart;
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

    ChannelInput(SeekableByteChannel channel) {
        this.channel = channel;
        try {
            this.size = channel.size();
        } catch (IOException e) {
            throw new TraceDatException("cannot get the file size: " + e.getMessage(), e);
        }
        buffer.limit(0);
    }

    long size() {
        return size;
    }

    long position() {
        return bufferStart + buffer.position();
    }

    long remaining() {
        return size - position();
    }

    void order(ByteOrder order) {
        this.order = order;
        buffer.order(order);
    }

    ByteOrder order() {
        return order;
    }

    void seek(long offset, String what) {
        if (offset < 0 || offset > size) {
            throw new TraceDatException(what + " at offset " + hex(offset) + " lies outside the "
                    + size + "-byte file");
        }
        if (offset >= bufferStart && offset <= bufferStart + buffer.limit()) {
            buffer.position((int) (offset - bufferStart));
        } else {
            bufferStart = offset;
            buffer.limit(0);
        }
    }

    /** Fails unless {@code n} more bytes are in the file. */
    void need(long n, String what) {
        if (n < 0 || n > remaining()) {
            throw new TraceDatException(what + " at offset " + hex(position()) + " needs " + Long.toUnsignedString(n)
                    + " bytes, the file ends " + remaining() + " bytes later");
        }
    }

    private void fill(int n, String what) {
        need(n, what);
        if (buffer.remaining() >= n) {
            return;
        }
        long at = position();
        buffer.compact(); // the unread bytes move to index 0, which now stands for offset `at`
        bufferStart = at;
        try {
            while (buffer.position() < n) {
                int read = readAt(buffer, at + buffer.position());
                if (read < 0) {
                    throw new TraceDatException(what + " at offset " + hex(at) + ": the file ended while reading");
                }
            }
        } catch (IOException e) {
            throw new TraceDatException("cannot read " + what + " at offset " + hex(at) + ": " + e.getMessage(), e);
        }
        buffer.flip();
    }

    private int readAt(ByteBuffer dst, long offset) throws IOException {
        int limit = (int) Math.min(dst.limit(), dst.position() + (size - offset));
        if (limit <= dst.position()) {
            return -1;
        }
        ByteBuffer slice = dst.duplicate().limit(limit);
        int read;
        if (channel instanceof FileChannel fc) {
            read = fc.read(slice, offset);
        } else {
            channel.position(offset);
            read = channel.read(slice);
        }
        if (read > 0) {
            dst.position(dst.position() + read);
        }
        return read;
    }

    int u8(String what) {
        fill(1, what);
        return buffer.get() & 0xff;
    }

    int u16(String what) {
        fill(2, what);
        return buffer.getShort() & 0xffff;
    }

    long u32(String what) {
        fill(4, what);
        return Integer.toUnsignedLong(buffer.getInt());
    }

    /** A u64; values above Long.MAX_VALUE come back negative, which every size check rejects. */
    long u64(String what) {
        fill(8, what);
        return buffer.getLong();
    }

    byte[] bytes(long n, String what) {
        need(n, what);
        if (n > Integer.MAX_VALUE - 16) {
            throw new TraceDatException(what + " at offset " + hex(position()) + " claims " + n + " bytes, too large");
        }
        byte[] out = new byte[(int) n];
        int done = 0;
        while (done < out.length) {
            if (!buffer.hasRemaining()) {
                fill(Math.min(BUFFER, out.length - done), what);
            }
            int chunk = Math.min(buffer.remaining(), out.length - done);
            buffer.get(out, done, chunk);
            done += chunk;
        }
        return out;
    }

    /** {@code n} bytes as text (UTF-8), at most {@code max}; a trailing NUL is dropped. */
    String text(long n, long max, String what) {
        if (n > max) {
            throw new TraceDatException(what + " at offset " + hex(position()) + " claims " + Long.toUnsignedString(n)
                    + " bytes, more than the " + max + " allowed");
        }
        byte[] b = bytes(n, what);
        int end = b.length;
        while (end > 0 && b[end - 1] == 0) {
            end--;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    void skip(long n, String what) {
        need(n, what);
        seek(position() + n, what);
    }

    /** A NUL-terminated string of at most {@code max} bytes before the NUL. */
    String cstring(int max, String what) {
        long start = position();
        byte[] b = new byte[Math.min(max, 256)];
        int n = 0;
        while (true) {
            if (remaining() == 0) {
                throw new TraceDatException(what + " at offset " + hex(start) + " has no terminating NUL before the end of the file");
            }
            int c = u8(what);
            if (c == 0) {
                return new String(b, 0, n, StandardCharsets.UTF_8);
            }
            if (n == max) {
                throw new TraceDatException(what + " at offset " + hex(start) + " is longer than " + max + " bytes");
            }
            if (n == b.length) {
                b = java.util.Arrays.copyOf(b, Math.min(max, b.length * 2));
            }
            b[n++] = (byte) c;
        }
    }

    /** Reads {@code expected.length} bytes and fails unless they are {@code expected}. */
    void expect(byte[] expected, String what) {
        long at = position();
        byte[] got = bytes(expected.length, what);
        if (!java.util.Arrays.equals(got, expected)) {
            throw new TraceDatException("expected " + what + " at offset " + hex(at) + ", found \""
                    + printable(got) + "\"");
        }
    }

    static String printable(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(x >= 0x20 && x < 0x7f ? String.valueOf((char) x) : x == 0 ? "\\0" : String.format("\\x%02x", x & 0xff));
        }
        return s.toString();
    }

    /** Reads into {@code dst} from {@code offset} until it is full; used for the pages. */
    void readFully(ByteBuffer dst, long offset, String what) {
        long at = offset;
        try {
            while (dst.hasRemaining()) {
                int read = readAt(dst, at);
                if (read < 0) {
                    throw new TraceDatException(what + " at offset " + hex(offset) + ": the file ended at " + hex(at));
                }
                at += read;
            }
        } catch (IOException e) {
            throw new TraceDatException("cannot read " + what + " at offset " + hex(offset) + ": " + e.getMessage(), e);
        }
    }
}
