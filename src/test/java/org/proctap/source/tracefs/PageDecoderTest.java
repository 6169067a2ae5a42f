package org.proctap.source.tracefs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.proctap.source.tracefs.PageBytes.header;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Sub-buffers written by hand, one comment per field, for every record type the kernel writes. */
class PageDecoderTest {

    /** events/header_page of Linux 6.18 on x86-64. */
    static final String HEADER_PAGE_6_18 = """
            	field: u64 timestamp;	offset:0;	size:8;	signed:0;
            	field: local_t commit;	offset:8;	size:8;	signed:1;
            	field: int overwrite;	offset:8;	size:1;	signed:1;
            	field: char data;	offset:16;	size:4080;	signed:0;
            """;

    /** What a 32-bit kernel prints: local_t is 4 bytes, so data starts at 12. */
    static final String HEADER_PAGE_32_BIT = """
            	field: u64 timestamp;	offset:0;	size:8;	signed:0;
            	field: local_t commit;	offset:8;	size:4;	signed:1;
            	field: int overwrite;	offset:8;	size:1;	signed:1;
            	field: char data;	offset:12;	size:4084;	signed:0;
            """;

    private static final PageLayout LAYOUT = PageLayout.parse(HEADER_PAGE_6_18);
    private static final PageDecoder DECODER = new PageDecoder(LAYOUT, ByteOrder.LITTLE_ENDIAN);
    private static final long PAGE_TS = 1_000_000_000L;

    /** What the visitor saw. */
    record Seen(long ts, int offset, int length) {
    }

    private static List<Seen> decode(PageDecoder decoder, ByteBuffer page, PageSummary[] summary) {
        List<Seen> seen = new ArrayList<>();
        summary[0] = decoder.decode(page, (ts, b, offset, length) -> seen.add(new Seen(ts, offset, length)));
        return seen;
    }

    private static List<Seen> decode(ByteBuffer page) {
        return decode(DECODER, page, new PageSummary[1]);
    }

    @Test
    void smallRecordsAddTheirDeltasToThePageTimestamp() {
        ByteBuffer page = PageBytes.littleEndian(4096)
                .u64(PAGE_TS)                // timestamp of the sub-buffer
                .u64(36)                     // commit: 36 bytes of data, no flags
                .u32(header(2, 0))           // @16 type_len 2 = 8-byte payload, delta 0
                .u32(0x0001_0172).u32(1234)  //     payload (common_type 0x172, ..., pid)
                .u32(header(1, 100))         // @28 type_len 1 = 4-byte payload, delta 100
                .u32(0xdead_beef)            //     payload
                .u32(header(3, 27))          // @36 type_len 3 = 12-byte payload, delta 27
                .u32(1).u32(2).u32(3)        //     payload
                .page();
        PageSummary[] summary = new PageSummary[1];
        List<Seen> seen = decode(DECODER, page, summary);
        assertThat(seen).containsExactly(
                new Seen(PAGE_TS, 20, 8),
                new Seen(PAGE_TS + 100, 32, 4),
                new Seen(PAGE_TS + 127, 40, 12));
        assertThat(summary[0]).isEqualTo(new PageSummary(PAGE_TS, 36, false, 0, 3));
        assertThat(page.position()).isZero();
        assertThat(page.limit()).isEqualTo(4096);
    }

    @Test
    void emptyPageHasNoRecords() {
        ByteBuffer page = PageBytes.littleEndian(4096)
                .u64(PAGE_TS)   // timestamp
                .u64(0)         // commit: no data
                .u32(header(1, 5)).u32(7) // garbage beyond the data length must be ignored
                .page();
        PageSummary[] summary = new PageSummary[1];
        assertThat(decode(DECODER, page, summary)).isEmpty();
        assertThat(summary[0]).isEqualTo(new PageSummary(PAGE_TS, 0, false, 0, 0));
    }

    @Test
    void lostEventsWithoutStoredCount() {
        ByteBuffer page = PageBytes.littleEndian(4096)
                .u64(PAGE_TS)
                // commit: RB_MISSED_EVENTS (bit 31) added as an int, so sign-extended into the
                // upper half of the 8-byte local_t, and 8 bytes of data
                .u64(0xffff_ffff_8000_0000L | 8)
                .u32(header(1, 0)).u32(42)   // one 4-byte record
                .page();
        PageSummary[] summary = new PageSummary[1];
        assertThat(decode(DECODER, page, summary)).containsExactly(new Seen(PAGE_TS, 20, 4));
        assertThat(summary[0]).isEqualTo(new PageSummary(PAGE_TS, 8, true, -1, 1));
    }

    @Test
    void lostEventsWithStoredCount() {
        ByteBuffer page = PageBytes.littleEndian(4096)
                .u64(PAGE_TS)
                // commit: RB_MISSED_EVENTS | RB_MISSED_STORED (bits 31 and 30), sign-extended, 8 bytes of data
                .u64(0xffff_ffff_c000_0000L | 8)
                .u32(header(1, 0)).u32(42)   // @16 one 4-byte record
                .u64(123_456)                // @24 unsigned long missed_events, right after the data
                .page();
        PageSummary[] summary = new PageSummary[1];
        assertThat(decode(DECODER, page, summary)).hasSize(1);
        assertThat(summary[0]).isEqualTo(new PageSummary(PAGE_TS, 8, true, 123_456, 1));
    }

    @Test
    void storedCountThatDoesNotFitIsCorrupt() {
        ByteBuffer page = PageBytes.littleEndian(16 + 8 + 4)   // room for the data and only 4 more bytes
                .u64(PAGE_TS)
                .u64(0xffff_ffff_c000_0000L | 8)                // flags say a u64 count follows the data
                .u32(header(1, 0)).u32(42)
                .page();
        assertThatThrownBy(() -> decode(page)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lost-events count");
    }

    @Test
    void paddingWithZeroDeltaEndsThePage() {
        ByteBuffer page = PageBytes.littleEndian(4096)
                .u64(PAGE_TS)
                .u64(24)                        // commit: 24 bytes
                .u32(header(1, 3)).u32(42)      // @16 a 4-byte record, delta 3
                .u32(header(29, 0))             // @24 padding with delta 0: the rest of the page is empty
                .u32(header(1, 9)).u32(43)      // @28 never read: after the padding
                .page();
        PageSummary[] summary = new PageSummary[1];
        assertThat(decode(DECODER, page, summary)).containsExactly(new Seen(PAGE_TS + 3, 20, 4));
        assertThat(summary[0].records()).isEqualTo(1);
    }

    @Test
    void discardedRecordsAreSkippedAndTheirDeltaCountsUnlessItIsTheMarkerOne() {
        ByteBuffer page = PageBytes.littleEndian(4096)
                .u64(PAGE_TS)
                .u64(44)                        // commit: 44 bytes
                .u32(header(29, 50))            // @16 padding, delta 50: a discarded record
                .u32(12)                        // @20 array[0]: 12 bytes follow the header
                .u32(0xffff).u32(0xffff)        // @24 the rest of the discarded payload
                .u32(header(1, 10)).u32(42)     // @32 a record, delta 10 after the discarded one's 50
                .u32(header(29, 1))             // @40 padding, delta 1: the value rb_event_discard and
                .u32(8)                         // @44 rb_reset_tail force; array[0]: 8 bytes follow
                .u32(0)                         // @48 the rest of the discarded bytes
                .u32(header(1, 2)).u32(43)      // @52 a record, delta 2 (not 1 + 2)
                .page();
        assertThat(decode(page)).containsExactly(
                new Seen(PAGE_TS + 60, 36, 4),
                new Seen(PAGE_TS + 62, 56, 4));
    }

    @Test
    void timeExtendAddsItsUpperBits() {
        ByteBuffer page = PageBytes.littleEndian(4096)
                .u64(PAGE_TS)
                .u64(16)                        // commit: 16 bytes
                .u32(header(30, 5))             // @16 time extend: low 27 bits of the delta = 5
                .u32(3)                         // @20 array[0]: the delta's bits 27..58 = 3
                .u32(header(1, 2)).u32(42)      // @24 a record, delta 2
                .page();
        assertThat(decode(page)).containsExactly(new Seen(PAGE_TS + (3L << 27) + 5 + 2, 28, 4));
    }

    @Test
    void absoluteTimestampReplacesTheRunningTime() {
        long absolute = 5_000_000_000L;
        ByteBuffer page = PageBytes.littleEndian(4096)
                .u64(PAGE_TS)
                .u64(24)                                           // commit: 24 bytes
                .u32(header(1, 10)).u32(42)                        // @16 a record at page + 10
                .u32(header(31, (int) (absolute & 0x7ff_ffff)))    // @24 absolute: low 27 bits in time_delta
                .u32((int) (absolute >>> 27))                      // @28 array[0]: bits 27..58
                .u32(header(1, 7)).u32(43)                         // @32 a record 7 ns after the absolute time
                .page();
        assertThat(decode(page)).containsExactly(
                new Seen(PAGE_TS + 10, 20, 4),
                new Seen(absolute + 7, 36, 4));
    }

    @Test
    void absoluteTimestampTakesTheFiveMostSignificantBitsFromTheRunningTime() {
        // A clock with bits 59..63 set: the absolute record holds only 59 bits (rb_fix_abs_ts).
        long msb = 0xf800_0000_0000_0000L;
        ByteBuffer page = PageBytes.littleEndian(4096)
                .u64(msb | 100)                 // page timestamp, top 5 bits set
                .u64(16)                        // commit: 16 bytes
                .u32(header(31, 200))           // @16 absolute time 200 (in the low 59 bits)
                .u32(0)                         // @20 array[0]: upper bits 0
                .u32(header(1, 0)).u32(42)      // @24 a record
                .page();
        assertThat(decode(page)).containsExactly(new Seen(msb | 200, 28, 4));
    }

    @Test
    void absoluteTimestampCarriesIntoTheMostSignificantBitsWhenItWrapped() {
        long bit59 = 1L << 59;
        ByteBuffer page = PageBytes.littleEndian(4096)
                .u64(bit59 | (bit59 - 10))      // page timestamp: MSB part 1, low part 10 ns before a wrap
                .u64(16)                        // commit: 16 bytes
                .u32(header(31, 5))             // @16 absolute time 5: the low 59 bits wrapped
                .u32(0)                         // @20 array[0]
                .u32(header(1, 0)).u32(42)      // @24 a record
                .page();
        assertThat(decode(page)).containsExactly(new Seen((2 * bit59) | 5, 28, 4));
    }

    @Test
    void longRecordHasItsLengthInArrayZero() {
        PageBytes bytes = PageBytes.littleEndian(4096)
                .u64(PAGE_TS)
                .u64(4 + 4 + 120 + 8)           // commit: the long record and a small one
                .u32(header(0, 3))              // @16 type_len 0: length in array[0], delta 3
                .u32(124);                      // @20 array[0]: 120 bytes of payload + array[0] itself
        for (int i = 0; i < 30; i++) {
            bytes.u32(i);                       // @24 the 120-byte payload
        }
        ByteBuffer page = bytes
                .u32(header(1, 1)).u32(42)      // @144 a small record after it
                .page();
        assertThat(decode(page)).containsExactly(
                new Seen(PAGE_TS + 3, 24, 120),
                new Seen(PAGE_TS + 4, 148, 4));
    }

    @Test
    void subBufferLargerThanHeaderPageSaysIsDecodedWhole() {
        // buffer_subbuf_size_kb=8 while header_page (the top-level one) still says 4080 bytes
        PageBytes bytes = PageBytes.littleEndian(8192)
                .u64(PAGE_TS)
                .u64(8 + 6000 + 12)             // commit: 6020 bytes of data, more than 4080
                .u32(header(0, 1))              // @16 long record
                .u32(6004);                     // @20 array[0]: 6000 bytes + 4
        ByteBuffer page = bytes.padTo(24 + 6000)
                .u32(header(2, 1)).u32(7).u32(8) // @6024 a record beyond 4096
                .page();
        assertThat(decode(page)).containsExactly(
                new Seen(PAGE_TS + 1, 24, 6000),
                new Seen(PAGE_TS + 2, 6028, 8));
    }

    @Test
    void bigEndianPagesDecodeTheSame() {
        PageDecoder decoder = new PageDecoder(LAYOUT, ByteOrder.BIG_ENDIAN);
        ByteBuffer page = new PageBytes(4096, ByteOrder.BIG_ENDIAN)
                .u64(PAGE_TS)                                  // @0 timestamp, big-endian
                .u64(0xffff_ffff_c000_0000L | 28)              // @8 commit: lost + stored, 28 bytes
                .u32(PageBytes.headerBigEndian(2, 0))          // @16 type_len in the top 5 bits: 8 bytes
                .u32(1).u32(2)                                 // @20 payload
                .u32(PageBytes.headerBigEndian(30, 5))         // @28 time extend, low bits 5
                .u32(3)                                        // @32 array[0]: upper bits 3
                .u32(PageBytes.headerBigEndian(1, 2))          // @36 a 4-byte record, delta 2
                .u32(99)                                       // @40 payload
                .u64(77)                                       // @44 the lost count, big-endian
                .page();
        ByteBuffer wrongOrder = page.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        List<ByteOrder> orders = new ArrayList<>();
        List<Seen> seen = new ArrayList<>();
        PageSummary summary = decoder.decode(wrongOrder, (ts, b, off, len) -> {
            seen.add(new Seen(ts, off, len));
            orders.add(b.order());
        });
        assertThat(seen).containsExactly(new Seen(PAGE_TS, 20, 8), new Seen(PAGE_TS + (3L << 27) + 5 + 2, 40, 4));
        assertThat(orders).containsOnly(ByteOrder.BIG_ENDIAN);
        assertThat(summary).isEqualTo(new PageSummary(PAGE_TS, 28, true, 77, 2));
        assertThat(wrongOrder.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void thirtyTwoBitKernelPages() {
        PageLayout layout = PageLayout.parse(HEADER_PAGE_32_BIT);
        assertThat(layout.longSize()).isEqualTo(4);
        PageDecoder decoder = new PageDecoder(layout, ByteOrder.LITTLE_ENDIAN);
        ByteBuffer page = PageBytes.littleEndian(4096)
                .u64(PAGE_TS)                      // @0 timestamp
                .u32(0xc000_0000 | 8)              // @8 commit, a 4-byte local_t: lost + stored, 8 bytes
                .u32(header(1, 4)).u32(42)         // @12 a record
                .u32(5)                            // @20 the lost count, a 4-byte unsigned long
                .page();
        PageSummary[] summary = new PageSummary[1];
        assertThat(decode(decoder, page, summary)).containsExactly(new Seen(PAGE_TS + 4, 16, 4));
        assertThat(summary[0]).isEqualTo(new PageSummary(PAGE_TS, 8, true, 5, 1));
    }

    @Test
    void subBufferInsideALargerBufferKeepsAbsoluteOffsets() {
        ByteBuffer two = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
        two.putLong(4096, PAGE_TS);            // second sub-buffer's timestamp
        two.putLong(4104, 8);                  // its commit: 8 bytes
        two.putInt(4112, header(1, 1));        // @4112 a record
        two.putInt(4116, 42);
        ByteBuffer second = two.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(4096).limit(8192);
        assertThat(decode(second)).containsExactly(new Seen(PAGE_TS + 1, 4116, 4));
        assertThat(second.position()).isEqualTo(4096);
    }

    @Test
    void truncatedSubBufferIsRejected() {
        assertThatThrownBy(() -> decode(ByteBuffer.allocate(10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shorter than its 16-byte header");
        ByteBuffer half = PageBytes.littleEndian(2048)
                .u64(PAGE_TS)
                .u64(4000)                      // commit: 4000 bytes, but only 2032 follow
                .page();
        assertThatThrownBy(() -> decode(half))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("says 4000 bytes of data but only 2032");
    }

    @Test
    void recordsRunningPastTheDataAreRejected() {
        ByteBuffer small = PageBytes.littleEndian(4096)
                .u64(PAGE_TS)
                .u64(8)                         // commit: 8 bytes
                .u32(header(28, 0))             // @16 type_len 28 = 112 bytes: more than the 4 left
                .page();
        assertThatThrownBy(() -> decode(small)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("record at offset 16").hasMessageContaining("runs past the data");

        ByteBuffer long0 = PageBytes.littleEndian(4096)
                .u64(PAGE_TS)
                .u64(16)                        // commit: 16 bytes
                .u32(header(0, 0))              // @16 long record
                .u32(0x7fff_fff0)               // @20 array[0]: far beyond the page
                .page();
        assertThatThrownBy(() -> decode(long0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("long record says");

        ByteBuffer extend = PageBytes.littleEndian(4096)
                .u64(PAGE_TS)
                .u64(4)                         // commit: 4 bytes
                .u32(header(30, 0))             // @16 time extend whose array[0] is outside the data
                .page();
        assertThatThrownBy(() -> decode(extend)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("array[0]");

        ByteBuffer partial = PageBytes.littleEndian(4096)
                .u64(PAGE_TS)
                .u64(2)                         // commit: 2 bytes, not even a record header
                .page();
        assertThatThrownBy(() -> decode(partial)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 4 bytes, 2 left");

        ByteBuffer ones = ByteBuffer.allocate(4096);
        java.util.Arrays.fill(ones.array(), (byte) 0xff); // commit 0x3fffffff after the flags
        assertThatThrownBy(() -> decode(ones)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomBytesNeverLoopOrReadOutsideThePage() {
        Random random = new Random(20261126);
        int rejected = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] bytes = new byte[512];
            random.nextBytes(bytes);
            ByteBuffer page = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            page.putLong(8, random.nextInt(512 - 16 + 1));   // a plausible data length, random flags off
            int[] records = {0};
            try {
                DECODER.decode(page, (ts, b, off, len) -> {
                    assertThat(off).isBetween(16, 512);
                    assertThat(off + len).isLessThanOrEqualTo(512);
                    records[0]++;
                });
            } catch (IllegalArgumentException e) {
                rejected++;
            }
            assertThat(records[0]).isLessThanOrEqualTo(512 / 8);
        }
        assertThat(rejected).isPositive();
    }
}
