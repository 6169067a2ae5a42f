package org.proctap.source.tracefs;

/** What a per-CPU reader hands to the processing thread. */
sealed interface Chunk {
    int stream();

    /**
     * One sub-buffer as read from trace_pipe_raw: the first {@code length} bytes of {@code data}
     * (an array from the {@link PagePool}, possibly longer).
     */
    record Page(int stream, byte[] data, int length) implements Chunk {
    }

    /**
     * Every event of this stream stamped before {@code watermark} has been handed over; an
     * {@code end} mark closes the stream.
     */
    record Mark(int stream, long watermark, boolean end) implements Chunk {
    }

    /** The reader died; the source stops and reports it. */
    record Failure(int stream, Throwable error) implements Chunk {
    }
}
