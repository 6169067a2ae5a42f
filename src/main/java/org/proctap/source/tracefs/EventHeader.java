package org.proctap.source.tracefs;

/**
 * The ring-buffer record header described by {@code events/header_event}
 * (kernel/trace/ring_buffer.c, ring_buffer_print_entry_header; struct ring_buffer_event in
 * include/linux/ring_buffer.h):
 * <pre>
 * # compressed entry header
 * 	type_len    :    5 bits
 * 	time_delta  :   27 bits
 * 	array       :   32 bits
 *
 * 	padding     : type == 29
 * 	time_extend : type == 30
 * 	time_stamp : type == 31
 * 	data max type_len  == 28
 * </pre>
 * A record starts with a u32 holding the {@code type_len} and {@code time_delta} bit fields, followed
 * by {@code array[]} (u32 words). Type lengths 1..dataMaxTypeLen are data records of type_len*4 bytes;
 * 0 is a data record whose length is in array[0]; the three special types are padding, a time
 * extend and an absolute time stamp.
 */
public record EventHeader(int typeLenBits, int timeDeltaBits, int paddingType, int timeExtendType,
                          int timeStampType, int dataMaxTypeLen) {

    /** What every kernel since 4.17 prints (earlier ones print the same, time_stamp then being unused). */
    public static final EventHeader DEFAULT = new EventHeader(5, 27, 29, 30, 31, 28);

    public EventHeader {
        if (typeLenBits <= 0 || timeDeltaBits <= 0 || typeLenBits + timeDeltaBits != 32) {
            throw new IllegalArgumentException("header_event: type_len (" + typeLenBits + " bits) and time_delta ("
                    + timeDeltaBits + " bits) must fill a u32");
        }
        int maxType = (1 << typeLenBits) - 1;
        for (int t : new int[] {paddingType, timeExtendType, timeStampType, dataMaxTypeLen}) {
            if (t < 0 || t > maxType) {
                throw new IllegalArgumentException("header_event: type " + t + " does not fit " + typeLenBits + " bits");
            }
        }
        if (dataMaxTypeLen >= Math.min(paddingType, Math.min(timeExtendType, timeStampType))) {
            throw new IllegalArgumentException("header_event: data max type_len " + dataMaxTypeLen
                    + " overlaps the special types");
        }
    }

    /** Parses the text of {@code events/header_event}; lines it does not know keep their default. */
    public static EventHeader parse(String headerEventText) {
        int typeLenBits = -1;
        int timeDeltaBits = -1;
        int padding = DEFAULT.paddingType;
        int extend = DEFAULT.timeExtendType;
        int stamp = DEFAULT.timeStampType;
        int dataMax = DEFAULT.dataMaxTypeLen;
        for (String raw : headerEventText.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("type_len") && line.endsWith("bits")) {
                typeLenBits = lastNumber(line, "bits");
            } else if (line.startsWith("time_delta") && line.endsWith("bits")) {
                timeDeltaBits = lastNumber(line, "bits");
            } else if (line.startsWith("padding")) {
                padding = lastNumber(line, null);
            } else if (line.startsWith("time_extend")) {
                extend = lastNumber(line, null);
            } else if (line.startsWith("time_stamp")) {
                stamp = lastNumber(line, null);
            } else if (line.startsWith("data max type_len")) {
                dataMax = lastNumber(line, null);
            }
        }
        if (typeLenBits < 0 || timeDeltaBits < 0) {
            throw new IllegalArgumentException("header_event: no 'type_len : N bits' or 'time_delta : N bits' line");
        }
        return new EventHeader(typeLenBits, timeDeltaBits, padding, extend, stamp, dataMax);
    }

    private static int lastNumber(String line, String suffix) {
        String s = suffix == null ? line : line.substring(0, line.length() - suffix.length()).strip();
        int i = s.length();
        while (i > 0 && Character.isDigit(s.charAt(i - 1))) {
            i--;
        }
        if (i == s.length()) {
            throw new IllegalArgumentException("header_event: no number at the end of '" + line + "'");
        }
        return Integer.parseInt(s.substring(i));
    }
}
