package org.proctap.source.tracefs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.proctap.stats.RunDelays;
import org.proctap.tracedat.TraceDatHeader;
import org.proctap.tracedat.TraceDatOption;
import org.proctap.tracedat.TraceDatWriter;

/**
 * A tracefs watch written to a trace.dat file as it runs: every raw page the readers copied, in
 * the order the processing thread received them (nothing decoded for it), and at the end the
 * comm table and proctap's section ({@link RecordingInfo}). A page that cannot be written stops
 * the watch (UncheckedIOException on the processing thread); closing before the end deletes the
 * file.
 */
public final class Recording implements AutoCloseable {
    private final Path file;
    private final RecordingInfo.Target target;
    private TraceDatWriter writer;
    private StringBuilder[] streams;
    private int pageSize;
    private long startNs;
    private List<RecordingInfo.ProcAtStart> procs;
    private List<RecordingInfo.Baseline> baselines;
    private final List<RecordingInfo.Reading> readings = new ArrayList<>();
    private long pages;
    private boolean finished;
    private ByteBuffer page;

    public Recording(Path file, RecordingInfo.Target target) {
        this.file = file;
        this.target = target;
    }

    public Path file() {
        return file;
    }

    /** Pages written so far. */
    public long pages() {
        return pages;
    }

    /** Opens the file: the kernel's texts are known, and who was watched at the start. */
    void begin(int cpus, TraceDatHeader header, long startNs, List<RecordingInfo.ProcAtStart> procs,
               List<RecordingInfo.Baseline> baselines) {
        try {
            writer = TraceDatWriter.create(file, header, cpus);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        pageSize = header.pageSize();
        streams = new StringBuilder[cpus];
        for (int cpu = 0; cpu < cpus; cpu++) {
            streams[cpu] = new StringBuilder();
        }
        this.startNs = startNs;
        this.procs = List.copyOf(procs);
        this.baselines = List.copyOf(baselines);
    }

    /** One raw page of stream {@code stream} (instance {@code stream / cpus}) of {@code cpu}. */
    void page(int stream, int cpu, byte[] data, int length) {
        if (page == null) {
            page = ByteBuffer.allocate(pageSize).order(ByteOrder.nativeOrder());
        }
        page.clear();
        page.put(data, 0, Math.min(length, pageSize));
        while (page.hasRemaining()) {
            page.put((byte) 0); // (a short read: the rest of the sub-buffer is unused)
        }
        page.clear();
        try {
            writer.append(cpu, page);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        streams[cpu].append(RecordingInfo.INSTANCES.charAt(stream / streams.length));
        pages++;
    }

    /** The run_delay reading a table due at {@code dueNs} anchored its waits to. */
    void reading(long dueNs, RunDelays r) {
        List<RecordingInfo.TaskReading> tasks = new ArrayList<>();
        for (RunDelays.Reading x : r.readings()) {
            tasks.add(new RecordingInfo.TaskReading(x.tid(), x.incarnation(), x.runDelayNs(), x.cutNs()));
        }
        readings.add(new RecordingInfo.Reading(dueNs, r.endNs(), tasks));
    }

    /** Completes the file. */
    void end(long stopNs, long[] lost, long remoteChargesFrom, Map<Integer, String> comms) {
        List<String> perCpu = new ArrayList<>();
        for (StringBuilder s : streams) {
            perCpu.add(s.toString());
        }
        RecordingInfo info = new RecordingInfo(RecordingInfo.VERSION, kernelRelease(), streams.length, target, startNs,
                stopNs, procs, baselines, readings, lost, remoteChargesFrom, perCpu);
        try {
            writer.finish(comms, List.of(new TraceDatOption(TraceDatOption.PROCTAP, info.toJson()),
                    TraceDatOption.text(TraceDatOption.UNAME, "Linux " + kernelRelease())));
            finished = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public boolean finished() {
        return finished;
    }

    static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    @Override
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }

    /** Bytes of page data so far. */
    public long bytes() {
        return pages * pageSize;
    }

    /** (for messages) */
    @Override
    public String toString() {
        return file + " (" + pages + " pages)";
    }
}
