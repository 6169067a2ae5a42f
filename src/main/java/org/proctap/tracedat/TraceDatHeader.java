package org.proctap.tracedat;

import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a reader of the file needs before the first page: the machine's byte order and long size,
 * the sub-buffer size, the kernel's texts describing the ring buffer and the events, and the clock
 * of the timestamps. {@link TraceDatWriter} takes it, {@link TraceDatReader} returns it.
 *
 * @param order         the traced kernel's byte order; every number of the file is in it
 * @param longSize      the file header's "bytes per long" (4 or 8); the kernel's own long size
 *                      is the size of header_page's commit field
 * @param pageSize      the size of each stored sub-buffer: the file's "page size", which trace-cmd
 *                      uses to step through the CPU data (buffer_subbuf_size_kb * 1024 when set)
 * @param headerPage    the text of {@code events/header_page}
 * @param headerEvent   the text of {@code events/header_event}
 * @param ftraceFormats the format texts of {@code events/ftrace/*}, possibly none
 * @param eventFormats  the format texts of the other events, by system, in file order
 * @param traceClock    the trace clock's name ({@code mono}, {@code local}, ...)
 */
public record TraceDatHeader(ByteOrder order, int longSize, int pageSize, String headerPage, String headerEvent,
                             List<String> ftraceFormats, Map<String, List<String>> eventFormats,
                             String traceClock) {

    /** Smallest and largest sub-buffer accepted: the kernel's range is a page to 1 MiB (buffer_subbuf_size_kb). */
    static final int MIN_PAGE = 64;
    static final int MAX_PAGE = 1 << 24;

    public TraceDatHeader {
        if (longSize != 4 && longSize != 8) {
            throw new IllegalArgumentException("long size " + longSize + ", expected 4 or 8");
        }
        if (pageSize < MIN_PAGE || pageSize > MAX_PAGE) {
            throw new IllegalArgumentException("page size " + pageSize + " outside " + MIN_PAGE + ".." + MAX_PAGE);
        }
        ftraceFormats = List.copyOf(ftraceFormats);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        eventFormats.forEach((system, texts) -> copy.put(system, List.copyOf(texts)));
        eventFormats = java.util.Collections.unmodifiableMap(copy);
    }
}
