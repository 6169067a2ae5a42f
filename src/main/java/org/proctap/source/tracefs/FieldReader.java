package org.proctap.source.tracefs;

import java.nio.ByteBuffer;

/**
 * One field of one event, resolved once from its {@link FormatField} into what the hot path needs:
 * where it is, how wide, whether to sign-extend, and how its string is stored. Reads take the
 * buffer and the offset of the record's payload; the caller has checked the record holds the
 * event's fixed part, so only dynamic strings need a bounds check here.
 */
final class FieldReader {
    private enum Kind { NUMBER, CHAR_ARRAY, DATA_LOC, REL_LOC }

    private final String event;
    private final String name;
    private final Kind kind;
    private final int offset;
    private final int size;
    private final boolean signed;

    private FieldReader(EventFormat format, FormatField field, Kind kind) {
        this.event = format.system() + "/" + format.name();
        this.name = field.name();
        this.kind = kind;
        this.offset = field.offset();
        this.size = field.size();
        this.signed = field.signed();
    }

    /** An integer field of 1, 2, 4 or 8 bytes (pid_t, int, long, u64, bool, ...). */
    static FieldReader number(EventFormat format, String fieldName) {
        FormatField f = format.field(fieldName);
        if (f.dataLoc() || f.arrayLength() >= 0 || (f.size() != 1 && f.size() != 2 && f.size() != 4 && f.size() != 8)) {
            throw new IllegalArgumentException("event " + format.system() + "/" + format.name() + ": field "
                    + fieldName + " (" + f.type() + ", " + f.size() + " bytes) is not an integer of 1, 2, 4 or 8 bytes");
        }
        return new FieldReader(format, f, Kind.NUMBER);
    }

    /**
     * A string field: {@code char x[N]} (NUL-terminated within N bytes) or a dynamic
     * {@code __data_loc char[]} / {@code __rel_loc char[]} (its data elsewhere in the record).
     * Kernels moved some comms from the first form to the second (sched_process_fork's comms in 6.x).
     */
    static FieldReader string(EventFormat format, String fieldName) {
        FormatField f = format.field(fieldName);
        Kind kind;
        if (f.dataLoc()) {
            if (f.size() != 4) {
                throw new IllegalArgumentException("event " + format.system() + "/" + format.name() + ": dynamic field "
                        + fieldName + " has size " + f.size() + ", expected a 4-byte location");
            }
            kind = f.relLoc() ? Kind.REL_LOC : Kind.DATA_LOC;
        } else if (f.arrayLength() >= 0 && f.type().endsWith("char")) {
            kind = Kind.CHAR_ARRAY;
        } else {
            throw new IllegalArgumentException("event " + format.system() + "/" + format.name() + ": field "
                    + fieldName + " (" + f.type() + ") is not a char array or a dynamic string");
        }
        return new FieldReader(format, f, kind);
    }

    /** The record must be at least this long for the field's own bytes. */
    int end() {
        return offset + size;
    }

    /** The value, sign-extended when the format says {@code signed:1}, else zero-extended. */
    long longValue(ByteBuffer b, int record) {
        int at = record + offset;
        return switch (size) {
            case 1 -> signed ? b.get(at) : b.get(at) & 0xffL;
            case 2 -> signed ? b.getShort(at) : b.getShort(at) & 0xffffL;
            case 4 -> signed ? b.getInt(at) : b.getInt(at) & 0xffff_ffffL;
            default -> b.getLong(at);
        };
    }

    /**
     * The low 32 bits as a signed int. That is the C value for {@code int} fields the syscall
     * events widen to 8 bytes ({@code int error_code; size:8; signed:0}) and for pid_t.
     */
    int intValue(ByteBuffer b, int record) {
        return (int) longValue(b, record);
    }

    boolean booleanValue(ByteBuffer b, int record) {
        return longValue(b, record) != 0;
    }

    String stringValue(ByteBuffer b, int record, int recordLength, StringCache cache) {
        if (kind == Kind.CHAR_ARRAY) {
            return cache.get(b, record + offset, size);
        }
        // The u32 location: low 16 bits where the data is, high 16 bits its length with the NUL.
        // __data_loc counts from the start of the record, __rel_loc from the end of the field.
        int loc = b.getInt(record + offset);
        int start = (loc & 0xffff) + (kind == Kind.REL_LOC ? offset + size : 0);
        int length = loc >>> 16;
        if (start + length > recordLength) {
            throw new IllegalArgumentException("event " + event + ": string " + name + " at " + start + " ("
                    + length + " bytes) runs past the " + recordLength + "-byte record");
        }
        return cache.get(b, record + start, length);
    }

    @Override
    public String toString() {
        return event + "." + name + "@" + offset + "/" + size + (signed ? "s" : "u") + " " + kind;
    }
}
