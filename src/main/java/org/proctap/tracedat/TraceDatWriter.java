package org.proctap.tracedat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a trace.dat file, version 6 (Documentation/trace-cmd/trace-cmd.dat.v6.5.txt), from raw
 * ring-buffer sub-buffers copied page by page while recording.
 *
 * <p>Why version 6: it is one fixed sequence (header texts, formats, comm table, options, a
 * table of per-CPU offsets, the pages) that every trace-cmd reads, from the 2.x releases that know
 * no other version to Debian 12's 3.1.6 and 3.4 (FILE_VERSION_MIN is 6 in
 * lib/trace-cmd/include/private/trace-cmd-private.h), and KernelShark opens files through the same
 * libtracecmd. Version 7 (trace-cmd 3.0 and later) adds sections, a string table and compression,
 * none of which proctap needs, and trace-cmd 2.x refuses it. {@link TraceDatReader} reads both.
 *
 * <p>Streaming: the metadata before the pages ends with the comm table and the per-CPU offsets
 * and sizes, none of which is known before the recording ends. So, as {@code trace-cmd record}
 * does with its {@code trace.dat.cpuN} files, each CPU's sub-buffers are appended to a temporary
 * file next to the output ({@code FILE.cpuN}); {@link #finish} writes the metadata and then copies
 * each CPU's file after it (FileChannel.transferTo), and deletes them. Memory use is the metadata
 * only. Different CPUs may be appended to from different threads; one CPU from one thread at a time.
 *
 * <p>Pages are stored as they are, lost-event flags (RB_MISSED_EVENTS, RB_MISSED_STORED) included,
 * so every reader sees the losses the kernel marked.
 */
public final class TraceDatWriter implements AutoCloseable {
    private final Path file;
    private final TraceDatHeader header;
    private final FileChannel out;
    private final FileChannel[] cpuFiles;
    private final Path[] cpuPaths;
    private final long[] cpuBytes;
    private boolean finished;

    private TraceDatWriter(Path file, TraceDatHeader header, FileChannel out, FileChannel[] cpuFiles, Path[] cpuPaths) {
        this.file = file;
        this.header = header;
        this.out = out;
        this.cpuFiles = cpuFiles;
        this.cpuPaths = cpuPaths;
        this.cpuBytes = new long[cpuFiles.length];
    }

    /**
     * Creates (or truncates) {@code file} and one temporary file per CPU beside it, unlinked as
     * soon as it is open.
     *
     * @param cpus the number of CPU data ranges the file will have (CPUs 0 to cpus-1)
     */
    public static TraceDatWriter create(Path file, TraceDatHeader header, int cpus) throws IOException {
        if (cpus <= 0) {
            throw new IllegalArgumentException("a trace.dat file needs at least one CPU, got " + cpus);
        }
        FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        FileChannel[] channels = new FileChannel[cpus];
        Path[] paths = new Path[cpus];
        try {
            for (int cpu = 0; cpu < cpus; cpu++) {
                paths[cpu] = file.resolveSibling(file.getFileName() + ".cpu" + cpu);
                channels[cpu] = FileChannel.open(paths[cpu], StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                // unlinked at once: its pages stay reachable through the channel, and a writer
                // killed with SIGKILL leaves no temporary file behind (one of an earlier such
                // writer with the same name is truncated and removed here)
                Files.delete(paths[cpu]);
            }
        } catch (IOException | RuntimeException e) {
            TraceDatWriter partial = new TraceDatWriter(file, header, out, channels, paths);
            try {
                partial.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return new TraceDatWriter(file, header, out, channels, paths);
    }

    /**
     * Appends one sub-buffer of {@code cpu}: the bytes between the buffer's position and limit,
     * exactly the header's page size (trace_pipe_raw returns whole sub-buffers). The buffer's
     * position moves to its limit.
     */
    public void append(int cpu, ByteBuffer subBuffer) throws IOException {
        if (finished) {
            throw new IllegalStateException("trace.dat writer already finished");
        }
        if (subBuffer.remaining() != header.pageSize()) {
            throw new IllegalArgumentException("sub-buffer of " + subBuffer.remaining() + " bytes for CPU " + cpu
                    + ", the file's page size is " + header.pageSize());
        }
        FileChannel c = cpuFiles[cpu];
        while (subBuffer.hasRemaining()) {
            c.write(subBuffer);
        }
        cpuBytes[cpu] += header.pageSize();
    }

    /** Bytes appended so far for {@code cpu}. */
    public long bytes(int cpu) {
        return cpuBytes[cpu];
    }

    /**
     * Writes the file: the metadata with this comm table (pid to comm, as saved_cmdlines) and
     * these options after the trace clock (proctap's own section among them, see
     * {@link TraceDatOption#PROCTAP}), then every CPU's pages. Deletes the temporary files.
     */
    public void finish(Map<Integer, String> comms, List<TraceDatOption> options) throws IOException {
        if (finished) {
            throw new IllegalStateException("trace.dat writer already finished");
        }
        HeaderBytes h = new HeaderBytes(header.order());
        h.bytes(MetadataParser.MAGIC).cstring("6")
                .u8(header.order() == java.nio.ByteOrder.BIG_ENDIAN ? 1 : 0).u8(header.longSize())
                .u32(header.pageSize());
        h.cstring("header_page").sized64(header.headerPage());
        h.cstring("header_event").sized64(header.headerEvent());
        h.u32(header.ftraceFormats().size());
        header.ftraceFormats().forEach(h::sized64);
        h.u32(header.eventFormats().size());
        header.eventFormats().forEach((system, formats) -> {
            h.cstring(system).u32(formats.size());
            formats.forEach(h::sized64);
        });
        h.u32(0); // kallsyms: none, proctap resolves no kernel addresses
        h.u32(0); // printk formats: none, the sched events do not use trace_printk
        StringBuilder cmdlines = new StringBuilder();
        new TreeMap<>(comms).forEach((pid, comm) -> cmdlines.append(pid).append(' ').append(comm).append('\n'));
        h.sized64(cmdlines.toString());
        h.u32(cpuFiles.length);
        h.bytes("options  \0".getBytes(StandardCharsets.ISO_8859_1));
        // trace_clock's text shows the clock in use in brackets; tracecmd_parse_trace_clock wants just that.
        String clock = "[" + header.traceClock() + "]";
        option(h, TraceDatOption.text(TraceDatOption.TRACECLOCK, clock));
        for (TraceDatOption o : options) {
            option(h, o);
        }
        h.u16(0);
        h.bytes("flyrecord\0".getBytes(StandardCharsets.ISO_8859_1));
        int table = h.size();
        long clockText = 8 + clock.length();
        // The pages start on a page boundary, as trace-cmd places them (it may mmap them page by page).
        long dataStart = align(table + 16L * cpuFiles.length + clockText);
        long at = dataStart;
        for (int cpu = 0; cpu < cpuFiles.length; cpu++) {
            h.u64(at).u64(cpuBytes[cpu]);
            at += cpuBytes[cpu];
        }
        // Read by init_data_v6 because of the TRACECLOCK option: u64 size, then the text.
        h.u64(clock.length()).bytes(clock.getBytes(StandardCharsets.ISO_8859_1));
        while (h.size() < dataStart) {
            h.u8(0);
        }
        ByteBuffer meta = h.flipped();
        out.position(0);
        while (meta.hasRemaining()) {
            out.write(meta);
        }
        for (int cpu = 0; cpu < cpuFiles.length; cpu++) {
            long done = 0;
            while (done < cpuBytes[cpu]) {
                done += cpuFiles[cpu].transferTo(done, cpuBytes[cpu] - done, out);
            }
        }
        out.truncate(out.position());
        out.force(false);
        finished = true;
        close();
    }

    private static void option(HeaderBytes h, TraceDatOption o) {
        h.u16(o.id()).u32(o.size()).bytes(o.data());
    }

    private long align(long offset) {
        long page = header.pageSize();
        return (offset + page - 1) / page * page;
    }

    /** Deletes the temporary files; without {@link #finish} first the output file is deleted too. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (int cpu = 0; cpu < cpuFiles.length; cpu++) {
            try {
                if (cpuFiles[cpu] != null) {
                    cpuFiles[cpu].close();
                    cpuFiles[cpu] = null;
                }
                if (cpuPaths[cpu] != null) {
                    Files.deleteIfExists(cpuPaths[cpu]);
                }
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        try {
            out.close();
            if (!finished) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
    }
}
