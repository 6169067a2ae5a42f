package org.proctap.tracedat;

/**
 * Where one CPU's ring-buffer sub-buffers lie in the file: {@code size} bytes from {@code offset},
 * whole sub-buffers back to back, in the order the kernel filled them.
 *
 * @param cpu    the CPU number (v7 stores it; v6 numbers the CPUs from 0 in file order)
 * @param offset the file offset of the first sub-buffer
 * @param size   the number of bytes, a multiple of the file's page size
 */
public record CpuData(int cpu, long offset, long size) {
    /** The offset just past the data. */
    public long end() {
        return offset + size;
    }
}
