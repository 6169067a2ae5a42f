package org.proctap.tracedat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A 2 GB trace.dat file is written and read back (every record decoded) by a JVM with a 32 MB heap. */
class TraceDatLargeFileIT {
    @TempDir
    Path dir;

    @Test
    void twoGigabytesReadInBoundedMemory() throws Exception {
        LargeFiles.writeAndReadInSmallHeap(dir, 2L << 30, "32m");
    }
}
