package org.proctap.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;

/**
 * A named pipe with a write end held open, for code that opens a path and polls it (a stand-in for
 * a kernel buffer). Opened read-write, a FIFO does not wait for a reader (fs/pipe.c, fifo_open), and
 * with a writer always there its readers never see a hang-up, only what is written.
 */
public final class Fifo implements AutoCloseable {
    private final Path path;
    private final RandomAccessFile writer;

    public Fifo(Path path) throws IOException, InterruptedException {
        this.path = path;
        Commands.run(List.of("mkfifo", path.toString()));
        writer = new RandomAccessFile(path.toFile(), "rw");
    }

    public Path path() {
        return path;
    }

    public void write(byte[] bytes) throws IOException {
        writer.write(bytes);
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
