package org.proctap.source.tracefs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Walks the records of one ring-buffer sub-buffer, as read from {@code per_cpu/cpuN/trace_pipe_raw}
 * or stored in a trace.dat file, and hands each data record to a {@link RecordVisitor} with its
 * absolute timestamp.
 *
 * <p>The format (kernel/trace/ring_buffer.c, include/linux/ring_buffer.h): a header described by
 * {@code events/header_page} ({@link PageLayout}), then records described by
 * {@code events/header_event} ({@link EventHeader}). The header's commit word holds the data length
 * in its low bits, {@code RB_MISSED_EVENTS} (bit 31: events were lost before this page) and
 * {@code RB_MISSED_STORED} (bit 30: the number lost is stored as a long right after the data). Each
 * record adds its {@code time_delta} to a running time that starts at the page timestamp.
 *
 * <p>Byte order and the kernel's long size are explicit (the decoder's order, the layout's commit
 * size), so pages recorded on another machine decode the same. Instances are immutable and may be
 * shared between threads.
 */
public final class PageDecoder {
    /** RB_MISSED_EVENTS in ring_buffer.c: events were lost between the previous page and this one. */
    private static final int MISSED_EVENTS = 1 << 31;
    /** RB_MISSED_STORED: the number of lost events is stored (as a long) right after the data. */
    private static final int MISSED_STORED = 1 << 30;
    /** RB_EVNT_HDR_SIZE: the u32 holding type_len and time_delta. */
    private static final int RECORD_HEADER = 4;
    /** RB_LEN_TIME_EXTEND and RB_LEN_TIME_STAMP: header plus array[0]. */
    private static final int TIME_RECORD = 8;

    private final PageLayout layout;
    private final EventHeader header;
    private final ByteOrder order;
    private final int typeLenShift;
    private final int typeLenMask;
    private final int deltaShift;
    private final int deltaMask;
    /** TS_MSB in ring_buffer.c: the bits an absolute time stamp record cannot hold (5 of 64). */
    private final long absoluteMsbMask;

    /** A decoder for the record header every current kernel uses ({@link EventHeader#DEFAULT}). */
    public PageDecoder(PageLayout layout, ByteOrder order) {
        this(layout, EventHeader.DEFAULT, order);
    }

    public PageDecoder(PageLayout layout, EventHeader header, ByteOrder order) {
        this.layout = layout;
        this.header = header;
        this.order = order;
        int deltaBits = header.timeDeltaBits();
        this.typeLenMask = (1 << header.typeLenBits()) - 1;
        this.deltaMask = (int) ((1L << deltaBits) - 1);
        // C bit fields are allocated from the least significant bit on little-endian ABIs and from
        // the most significant one on big-endian ABIs; libtraceevent's kbuffer-parse.c
        // (type_len4host, ts4host) reads struct ring_buffer_event the same way.
        if (order == ByteOrder.LITTLE_ENDIAN) {
            this.typeLenShift = 0;
            this.deltaShift = header.typeLenBits();
        } else {
            this.typeLenShift = deltaBits;
            this.deltaShift = 0;
        }
        this.absoluteMsbMask = -1L << (32 + deltaBits);
    }

    public PageLayout layout() {
        return layout;
    }

    public ByteOrder order() {
        return order;
    }

    /**
     * Decodes the sub-buffer between {@code page.position()} and {@code page.limit()} without moving
     * either. The sub-buffer may be larger than header_page's data size (buffer_subbuf_size_kb); its
     * given length is trusted. The visitor receives {@code page} itself when it already has the
     * decoder's byte order, else a view with the same indexes in that order.
     *
     * @throws IllegalArgumentException when the page is truncated or a record runs past its data
     */
    public PageSummary decode(ByteBuffer page, RecordVisitor visitor) {
        ByteBuffer b = page.order() == order ? page : page.duplicate().order(order);
        int base = page.position();
        int size = page.limit() - base;
        if (size < layout.dataOffset()) {
            throw new IllegalArgumentException("sub-buffer of " + size + " bytes is shorter than its "
                    + layout.dataOffset() + "-byte header");
        }
        long timestamp = read(b, base + layout.timestampOffset(), layout.timestampSize());
        // local_t commit: only the low 32 bits carry meaning. On 64-bit kernels the flags were
        // added as (int) 1 << 31 and so appear sign-extended (0xffffffff80000ff0).
        int commit = (int) read(b, base + layout.commitOffset(), layout.commitSize());
        int dataLength = commit & ~(MISSED_EVENTS | MISSED_STORED);
        int room = size - layout.dataOffset();
        if (dataLength > room) {
            throw new IllegalArgumentException("sub-buffer header says " + dataLength + " bytes of data but only "
                    + room + " follow the header: truncated, or not a sub-buffer");
        }
        int dataStart = base + layout.dataOffset();
        boolean lost = (commit & MISSED_EVENTS) != 0;
        long lostCount = 0;
        if (lost) {
            lostCount = -1;
            if ((commit & MISSED_STORED) != 0) {
                // ring_buffer_read_page stores "unsigned long missed_events" only when it fits.
                if (room - dataLength < layout.longSize()) {
                    throw new IllegalArgumentException("sub-buffer flags a stored lost-events count but has no "
                            + layout.longSize() + " bytes for it after its " + dataLength + " bytes of data");
                }
                lostCount = read(b, dataStart + dataLength, layout.longSize());
            }
        }
        int records = decodeRecords(b, base, dataStart, dataStart + dataLength, timestamp, visitor);
        return new PageSummary(timestamp, dataLength, lost, lostCount, records);
    }

    private int decodeRecords(ByteBuffer b, int base, int start, int end, long pageTimestamp, RecordVisitor visitor) {
        int dataMax = header.dataMaxTypeLen();
        int padding = header.paddingType();
        int extend = header.timeExtendType();
        int stamp = header.timeStampType();
        long time = pageTimestamp;
        int records = 0;
        int at = start;
        while (at < end) {
            if (end - at < RECORD_HEADER) {
                throw corrupt(base, at, "a record header needs 4 bytes, " + (end - at) + " left");
            }
            int word = b.getInt(at);
            int typeLen = (word >>> typeLenShift) & typeLenMask;
            int delta = (word >>> deltaShift) & deltaMask;
            if (typeLen >= 1 && typeLen <= dataMax) {
                // Small data record: type_len * 4 bytes of payload follow the header.
                int length = typeLen << 2;
                int payload = at + RECORD_HEADER;
                if (length > end - payload) {
                    throw corrupt(base, at, "a " + length + "-byte record runs past the data");
                }
                time += delta;
                visitor.onRecord(time, b, payload, length);
                records++;
                at = payload + length;
            } else if (typeLen == 0) {
                // Long data record (payload > RB_MAX_SMALL_DATA, or 8-byte aligned architectures):
                // array[0] is the payload length plus array[0] itself (rb_event_data_length).
                long words = array0(b, base, at, end);
                if (words < 4 || words > end - at - RECORD_HEADER) {
                    throw corrupt(base, at, "a long record says " + words + " bytes, "
                            + (end - at - RECORD_HEADER) + " left");
                }
                time += delta;
                visitor.onRecord(time, b, at + TIME_RECORD, (int) words - 4);
                records++;
                at += RECORD_HEADER + (int) words;
            } else if (typeLen == padding) {
                if (delta == 0) {
                    break; // rb_null_event: the rest of the page is empty
                }
                // A discarded record (rb_event_discard), or the tail padding rb_reset_tail leaves
                // when a record does not fit: array[0] is its length after the header. Its time
                // counts unless it is 1, the value both of them force when the delta was 0 — the
                // rule of the kernel's own checker (check_buffer, rb_read_data_buffer). The
                // kernel's text output ignores padding deltas; since Linux 6.7 ("ring-buffer:
                // Force absolute timestamp on discard of event") the record after a discard carries
                // an absolute time stamp, so the two agree except after an event nested in a
                // discarded one.
                long length = array0(b, base, at, end);
                if (length > end - at - RECORD_HEADER) {
                    throw corrupt(base, at, "a discarded record says " + length + " bytes, "
                            + (end - at - RECORD_HEADER) + " left");
                }
                if (delta != 1) {
                    time += delta;
                }
                at += RECORD_HEADER + (int) length;
            } else if (typeLen == extend) {
                // The delta did not fit in time_delta: array[0] holds its upper bits.
                time += (array0(b, base, at, end) << header.timeDeltaBits()) + delta;
                at += TIME_RECORD;
            } else if (typeLen == stamp) {
                // Absolute time stamp, replacing the running time; the records after it add their
                // deltas to it. It holds only 59 bits: the top 5 come from the running time, plus
                // one carry if that makes it go backwards (rb_fix_abs_ts).
                long absolute = (array0(b, base, at, end) << header.timeDeltaBits()) + delta;
                time = fixAbsolute(absolute, time);
                at += TIME_RECORD;
            } else {
                throw corrupt(base, at, "type_len " + typeLen + " is neither a data length nor a known type");
            }
        }
        return records;
    }

    private long fixAbsolute(long absolute, long previous) {
        long msb = previous & absoluteMsbMask;
        if (msb == 0) {
            return absolute;
        }
        long fixed = absolute | msb;
        if (Long.compareUnsigned(fixed, previous) < 0) {
            fixed += Long.lowestOneBit(absoluteMsbMask);
        }
        return fixed;
    }

    private static long array0(ByteBuffer b, int base, int at, int end) {
        if (end - at < TIME_RECORD) {
            throw corrupt(base, at, "array[0] of the record runs past the data");
        }
        return Integer.toUnsignedLong(b.getInt(at + RECORD_HEADER));
    }

    private static long read(ByteBuffer b, int index, int size) {
        return size == 8 ? b.getLong(index) : Integer.toUnsignedLong(b.getInt(index));
    }

    private static IllegalArgumentException corrupt(int base, int at, String what) {
        return new IllegalArgumentException("corrupt sub-buffer: record at offset " + (at - base) + ": " + what);
    }
}
