package org.proctap.sys;

/**
 * Heap kept back for the way out of an OutOfMemoryError: stopping the kernel's tracing, closing
 * its files, removing tracefs instances and printing one line all allocate, and with the heap
 * exhausted each of them would fail in turn (and an instance with a file still open cannot be
 * removed: EBUSY). Whoever catches the error first releases this, and the rest of the way out
 * has it to spend.
 */
public final class HeapReserve {
    private static final int BYTES = 2 << 20;
    private static volatile byte[] reserve;

    private HeapReserve() {
    }

    /** Takes the reserve, at the start, while there is heap (and loads this class before it is needed). */
    public static void hold() {
        reserve = new byte[BYTES];
    }

    /** Gives the reserve back to the heap if {@code t} is (or was caused by) running out of it. */
    public static void releaseIf(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                reserve = null;
                return;
            }
        }
    }
}
