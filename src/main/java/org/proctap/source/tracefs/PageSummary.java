package org.proctap.source.tracefs;

/**
 * What {@link PageDecoder#decode} found in one sub-buffer: its header timestamp, the length of its
 * data, whether the kernel lost events before it ({@code lostCount} is then the number lost, or -1
 * when the page had no room to store it; 0 when nothing was lost) and how many data records it
 * handed to the visitor.
 */
public record PageSummary(long timestamp, int dataLength, boolean eventsLost, long lostCount, int records) {
}
