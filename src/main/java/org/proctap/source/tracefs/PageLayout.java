package org.proctap.source.tracefs;

/**
 * The sub-buffer header described by {@code events/header_page} (kernel/trace/ring_buffer.c,
 * ring_buffer_print_page_header), which on x86-64 reads:
 * <pre>
 * 	field: u64 timestamp;	offset:0;	size:8;	signed:0;
 * 	field: local_t commit;	offset:8;	size:8;	signed:1;
 * 	field: int overwrite;	offset:8;	size:1;	signed:1;
 * 	field: char data;	offset:16;	size:4080;	signed:0;
 * </pre>
 * {@code timestamp} is the time of the first record, {@code commit} a {@code local_t} (a long, so 4
 * bytes on 32-bit kernels) holding the data length and the lost-events flags, {@code data} the
 * records. The {@code overwrite} line overlaps {@code commit} and is ignored.
 *
 * <p>{@code dataSize} is the data capacity the file describes. On Linux 6.18 an instance's own
 * {@code events/header_page} follows its {@code buffer_subbuf_size_kb} (8176 for 8 KB), while the
 * top-level one keeps saying 4080; decoders must trust the length of the sub-buffer they were given.
 */
public record PageLayout(int timestampOffset, int timestampSize, int commitOffset, int commitSize, int dataOffset,
                         int dataSize) {

    public PageLayout {
        if (timestampSize != 4 && timestampSize != 8) {
            throw new IllegalArgumentException("header_page: timestamp size " + timestampSize + ", expected 4 or 8");
        }
        if (commitSize != 4 && commitSize != 8) {
            throw new IllegalArgumentException("header_page: commit size " + commitSize + ", expected 4 or 8");
        }
        if (timestampOffset < 0 || commitOffset < 0 || dataSize < 0
                || dataOffset < timestampOffset + timestampSize || dataOffset < commitOffset + commitSize) {
            throw new IllegalArgumentException("header_page: data at " + dataOffset
                    + " overlaps the timestamp or commit fields");
        }
    }

    /** Parses the text of {@code events/header_page}. */
    public static PageLayout parse(String headerPageText) {
        FormatField timestamp = null;
        FormatField commit = null;
        FormatField data = null;
        for (String line : headerPageText.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            FormatField f;
            try {
                f = FormatField.parseLine(line);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("header_page: " + e.getMessage(), e);
            }
            switch (f.name()) {
                case "timestamp" -> timestamp = f;
                case "commit" -> commit = f;
                case "data" -> data = f;
                default -> { } // "overwrite" aliases commit's low byte
            }
        }
        if (timestamp == null || commit == null || data == null) {
            throw new IllegalArgumentException("header_page: expected fields timestamp, commit and data, got "
                    + (timestamp == null ? "no timestamp " : "") + (commit == null ? "no commit " : "")
                    + (data == null ? "no data" : "").strip());
        }
        return new PageLayout(timestamp.offset(), timestamp.size(), commit.offset(), commit.size(), data.offset(),
                data.size());
    }

    /** Size of the kernel's {@code long} (and of the stored lost-events count): the commit field's size. */
    public int longSize() {
        return commitSize;
    }

    /** The sub-buffer size this header_page describes: header plus data. */
    public int subBufferSize() {
        return dataOffset + dataSize;
    }
}
