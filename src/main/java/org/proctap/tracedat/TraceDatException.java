package org.proctap.tracedat;

/**
 * A trace.dat file could not be read or written as asked. The message is one line saying what and
 * where, lower-case so a caller can put the file name in front: {@code CPU 1 data ends at offset
 * 0x1a2000, 4096 bytes short}, {@code not a trace.dat file (magic 7f 45 4c)}, {@code trace.dat
 * version 9 not supported (6 and 7 are)}.
 */
public class TraceDatException extends RuntimeException {
    public TraceDatException(String message) {
        super(message);
    }

    public TraceDatException(String message, Throwable cause) {
        super(message, cause);
    }

    static String hex(long offset) {
        return "0x" + Long.toHexString(offset);
    }
}
