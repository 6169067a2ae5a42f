package org.proctap.source.proc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The open files of one thread under /proc/TGID/task/TID, each re-read from offset 0 at every
 * poll: a seq_file regenerates its text on a read at offset 0 (fs/seq_file.c, seq_read_iter()),
 * and an open file costs a fifth of an open-read-close (BENCHMARKS.md). An open file stays bound
 * to its task's struct pid: once the task is gone a read fails with ESRCH, also when its id was
 * reused meanwhile, so a reading is always the task it was opened for.
 */
final class TaskFiles implements AutoCloseable {
    static final int SCHEDSTAT = 0;
    static final int STATUS = 1;
    static final int STAT = 2;
    private static final String[] NAMES = {"schedstat", "status", "stat"};

    final int tgid;
    final int tid;
    private final FileChannel[] channels = new FileChannel[NAMES.length];
    /** The last poll that used these files (the live view closes the ones a poll did not use). */
    long usedAt;
    /** The last full reading, reused while schedstat does not move (see LiveProc#task). */
    TaskReading last;

    TaskFiles(int tgid, int tid) {
        this.tgid = tgid;
        this.tid = tid;
    }

    static Path path(int tgid, int tid, int file) {
        return Path.of("/proc", Integer.toString(tgid), "task", Integer.toString(tid), NAMES[file]);
    }

    /** How many files are open. */
    int open() {
        int n = 0;
        for (FileChannel c : channels) {
            if (c != null) {
                n++;
            }
        }
        return n;
    }

    /**
     * Reads file {@code file} into {@code buffer} (from its start; flipped for reading), opening it
     * first when {@code keep} allows one more open file, else reading it through a file opened and
     * closed here. Throws IOException when the task is gone or the file cannot be read.
     */
    void read(int file, ByteBuffer buffer, boolean keep) throws IOException {
        FileChannel c = channels[file];
        if (c == null) {
            c = FileChannel.open(path(tgid, tid, file));
            if (!keep) {
                try (FileChannel once = c) {
                    readAll(once, buffer);
                }
                return;
            }
            channels[file] = c;
        }
        readAll(c, buffer);
    }

    private static void readAll(FileChannel c, ByteBuffer buffer) throws IOException {
        buffer.clear();
        long at = 0;
        while (buffer.hasRemaining()) {
            int n = c.read(buffer, at);
            if (n <= 0) {
                break;
            }
            at += n;
        }
        if (!buffer.hasRemaining()) {
            throw new IOException("a /proc file longer than " + buffer.capacity() + " bytes");
        }
        buffer.flip();
    }

    @Override
    public void close() {
        for (int i = 0; i < channels.length; i++) {
            if (channels[i] != null) {
                try {
                    channels[i].close();
                } catch (IOException e) {
                    // closing a /proc file cannot fail in a way that matters
                }
                channels[i] = null;
            }
        }
    }
}
