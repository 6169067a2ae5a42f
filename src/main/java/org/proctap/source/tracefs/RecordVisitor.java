package org.proctap.source.tracefs;

import java.nio.ByteBuffer;

/**
 * Receives the data records of a sub-buffer, in order. {@code offset} and {@code length} locate the
 * record's payload (the bytes starting at {@code common_type}) in {@code page}; {@code length}
 * includes the ring buffer's alignment padding (records are whole u32 words, or u64 words where
 * the architecture forces 8-byte alignment), so it may exceed the event's own size by a few bytes.
 * {@code page} reads in the page's byte order and is only valid during the call.
 */
@FunctionalInterface
public interface RecordVisitor {
    void onRecord(long timestamp, ByteBuffer page, int offset, int length);
}
