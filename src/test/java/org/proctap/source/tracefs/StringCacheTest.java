package org.proctap.source.tracefs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StringCacheTest {
    /** What get() must return: the bytes up to the first NUL or maxLength, as UTF-8. */
    private static String reference(ByteBuffer b, int start, int maxLength) {
        int n = 0;
        while (n < maxLength && b.get(start + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        b.get(start, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static ByteBuffer record(ByteOrder order, String text, int fieldLength, int slack) {
        ByteBuffer b = ByteBuffer.allocate(8 + fieldLength + slack).order(order);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        b.put(8, bytes, 0, Math.min(bytes.length, fieldLength));
        for (int i = 8 + fieldLength; i < b.limit(); i++) {
            b.put(i, (byte) 'x'); // bytes past the field: never part of the string
        }
        return b;
    }

    @Test
    void commsOfEveryLengthInBothByteOrders() {
        StringCache cache = new StringCache();
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            for (int n = 0; n <= 16; n++) {
                String comm = "abcdefghijklmnop".substring(0, n);
                ByteBuffer b = record(order, comm, 16, 8);
                assertThat(cache.get(b, 8, 16)).as("%d bytes, %s", n, order).isEqualTo(comm);
                ByteBuffer atEnd = record(order, comm, 16, 0); // no room for the word reads past it
                assertThat(cache.get(atEnd, 8, 16)).as("%d bytes at the buffer's end", n).isEqualTo(comm);
            }
        }
    }

    @Test
    void aShorterFieldEndsTheStringThereAndNonAsciiBytesDecodeAsUtf8() {
        StringCache cache = new StringCache();
        ByteBuffer b = record(ByteOrder.LITTLE_ENDIAN, "worker-12345", 8, 16);
        assertThat(cache.get(b, 8, 8)).isEqualTo("worker-1");
        ByteBuffer c = record(ByteOrder.LITTLE_ENDIAN, "wörk€r", 16, 8);
        assertThat(cache.get(c, 8, 16)).isEqualTo("wörk€r");
        ByteBuffer nul = record(ByteOrder.LITTLE_ENDIAN, "ab\0cd", 16, 8);
        assertThat(cache.get(nul, 8, 16)).isEqualTo("ab");
    }

    @Test
    void theSameBytesGiveTheSameInstanceAndOtherBytesAnother() {
        StringCache cache = new StringCache();
        String first = cache.get(record(ByteOrder.LITTLE_ENDIAN, "sched-pipe", 16, 8), 8, 16);
        assertThat(cache.get(record(ByteOrder.LITTLE_ENDIAN, "sched-pipe", 16, 8), 8, 16)).isSameAs(first);
        assertThat(cache.get(record(ByteOrder.LITTLE_ENDIAN, "sched-pip", 16, 8), 8, 16)).isEqualTo("sched-pip");
        assertThat(cache.get(record(ByteOrder.LITTLE_ENDIAN, "sched-pipf", 16, 8), 8, 16)).isEqualTo("sched-pipf");
        assertThat(cache.get(record(ByteOrder.LITTLE_ENDIAN, "sched-pipe", 16, 8), 8, 16)).isEqualTo("sched-pipe");
    }

    @Test
    void randomBytesDecodeAsTheReferenceDoes() {
        Random random = new Random(618);
        StringCache cache = new StringCache();
        for (int i = 0; i < 200_000; i++) {
            ByteBuffer b = ByteBuffer.allocate(40).order(random.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            for (int j = 0; j < b.limit(); j++) {
                // few distinct bytes, and zeros, so that strings repeat and collide in the cache
                int r = random.nextInt(6);
                b.put(j, r == 0 ? 0 : (byte) (r == 5 ? 0xc3 : 'a' + r));
            }
            int start = random.nextInt(30);
            int max = 1 + random.nextInt(Math.min(20, b.limit() - start));
            assertThat(cache.get(b, start, max)).as("case %d", i).isEqualTo(reference(b, start, max));
        }
    }

    @Test
    void zeroAtFindsTheFirstZeroByte() {
        assertThat(StringCache.zeroAt(0)).isZero();
        assertThat(StringCache.zeroAt(-1L)).isEqualTo(8);
        for (int i = 0; i < 8; i++) {
            long w = -1L & ~(0xffL << (8 * i)); // only byte i is zero
            assertThat(StringCache.zeroAt(w)).isEqualTo(i);
            assertThat(StringCache.zeroAt(w & 0x8181818181818181L)).as("0x81 bytes, zero at %d", i).isEqualTo(i);
        }
        assertThat(StringCache.zeroAt(0x0100L)).isZero(); // a zero below a one: the borrow must not hide it
        assertThat(StringCache.zeroAt(0x00ff_0000_0000_0101L)).isEqualTo(2);
    }
}
