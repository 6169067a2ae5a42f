package org.proctap.source.tracefs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.proctap.source.SourceException;

/**
 * A tracefs instance ({@code instances/NAME}): its own ring buffers, events, filters and pid
 * list, so proctap never touches the global buffer other tools use. Closing turns tracing off and
 * removes the directory; instances left by a killed proctap are removed by {@link #removeStale}.
 */
public final class TraceInstance implements AutoCloseable {
    public static final String PREFIX = "proctap-";
    private static final Pattern OWNED = Pattern.compile("proctap-(\\d+)(-.*)?");

    private final Tracefs tracefs;
    private final String name;
    private final Path dir;
    private boolean closed;

    private TraceInstance(Tracefs tracefs, String name, Path dir) {
        this.tracefs = tracefs;
        this.name = name;
        this.dir = dir;
    }

    /** Creates {@code instances/name} with tracing off. */
    public static TraceInstance create(Tracefs tracefs, String name) {
        Path dir = tracefs.path("instances").resolve(name);
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new SourceException("cannot create tracefs instance " + dir + ": " + e.getMessage());
        }
        TraceInstance instance = new TraceInstance(tracefs, name, dir);
        try {
            instance.write("tracing_on", "0");
        } catch (RuntimeException e) {
            instance.close();
            throw e;
        }
        return instance;
    }

    public String name() {
        return name;
    }

    public Path dir() {
        return dir;
    }

    public Tracefs tracefs() {
        return tracefs;
    }

    /** Writes (truncating) a control file, e.g. {@code write("trace_clock", "mono")}. */
    public void write(String relative, String value) {
        writeFile(dir.resolve(relative), value, false);
    }

    /** Appends to a control file: {@code set_event_pid} keeps its list and adds these pids. */
    public void append(String relative, String value) {
        writeFile(dir.resolve(relative), value, true);
    }

    public String read(String relative) {
        try {
            return TracefsFiles.read(dir.resolve(relative));
        } catch (IOException e) {
            throw new SourceException("cannot read " + dir.resolve(relative) + ": " + e.getMessage());
        }
    }

    public boolean exists(String relative) {
        return Files.exists(dir.resolve(relative));
    }

    private static void writeFile(Path file, String value, boolean append) {
        try {
            if (append) {
                Files.writeString(file, value, StandardCharsets.UTF_8, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            } else {
                Files.writeString(file, value, StandardCharsets.UTF_8, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
            }
        } catch (IOException e) {
            throw new SourceException("cannot write '" + value.strip() + "' to " + file + ": " + e.getMessage());
        }
    }

    /** The event's format file as this kernel lays it out. */
    public EventFormat format(String system, String event) {
        return EventFormat.parse(system, formatText(system, event));
    }

    /** The event's format file's text. */
    public String formatText(String system, String event) {
        Path file = dir.resolve("events").resolve(system).resolve(event).resolve("format");
        if (!Files.exists(file)) {
            throw new SourceException("this kernel has no tracepoint " + system + ":" + event);
        }
        return readPath(file);
    }

    public boolean hasEvent(String system, String event) {
        return Files.exists(dir.resolve("events").resolve(system).resolve(event).resolve("enable"));
    }

    public void enable(String system, String event) {
        write("events/" + system + "/" + event + "/enable", "1");
    }

    /** Sets an event filter; the kernel rejects bad filters with EINVAL, reported with the text. */
    public void filter(String system, String event, String filter) {
        write("events/" + system + "/" + event + "/filter", filter);
    }

    public void tracingOn(boolean on) {
        write("tracing_on", on ? "1" : "0");
    }

    public Path rawPipe(int cpu) {
        return dir.resolve("per_cpu").resolve("cpu" + cpu).resolve("trace_pipe_raw");
    }

    public CpuBufferStats stats(int cpu) {
        return CpuBufferStats.parse(readPath(dir.resolve("per_cpu").resolve("cpu" + cpu).resolve("stats")));
    }

    /** events/header_event: the record header's bit widths and special type numbers. */
    public String headerEvent() {
        return readPath(own("events/header_event"));
    }

    /** events/header_page, the instance's own (it follows the instance's buffer_subbuf_size_kb). */
    public String headerPage() {
        return readPath(own("events/header_page"));
    }

    private Path own(String relative) {
        Path mine = dir.resolve(relative);
        return Files.exists(mine) ? mine : tracefs.path(relative);
    }

    private static String readPath(Path file) {
        try {
            return TracefsFiles.read(file);
        } catch (IOException e) {
            throw new SourceException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Turns tracing off and removes the instance. Safe to call twice. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            tryWrite(dir.resolve("tracing_on"), "0");
            tryWrite(dir.resolve("events/enable"), "0");
        } finally {
            remove(dir);
        }
    }

    private static void tryWrite(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException ignored) {
            // best effort: rmdir below tears everything down anyway
        }
    }

    /** rmdir, retrying while a reader's file descriptor is still being released (EBUSY). */
    static void remove(Path dir) {
        for (int attempt = 0; ; attempt++) {
            try {
                Files.delete(dir);
                return;
            } catch (NoSuchFileException e) {
                return;
            } catch (FileSystemException e) {
                if (attempt >= 50) {
                    throw new SourceException("cannot remove tracefs instance " + dir + ": " + e.getReason()
                            + " (remove it with: rmdir " + dir + ")");
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new SourceException("interrupted while removing " + dir);
                }
            } catch (IOException e) {
                throw new SourceException("cannot remove tracefs instance " + dir + ": " + e.getMessage());
            }
        }
    }

    /**
     * Removes instances named {@code proctap-PID[-...]} whose PID is not a live proctap (killed
     * with SIGKILL, which runs no cleanup). Returns the names removed.
     */
    public static List<String> removeStale(Tracefs tracefs) {
        List<String> removed = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tracefs.path("instances"))) {
            for (Path entry : entries) {
                Matcher m = OWNED.matcher(entry.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                long owner = Long.parseLong(m.group(1));
                if (owner == self || isLiveProctap(owner)) {
                    continue;
                }
                remove(entry);
                removed.add(entry.getFileName().toString());
            }
        } catch (IOException e) {
            throw new SourceException("cannot list " + tracefs.path("instances") + ": " + e.getMessage());
        }
        return removed;
    }

    private static boolean isLiveProctap(long pid) {
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(cmdline, StandardCharsets.UTF_8).contains("proctap");
        } catch (IOException e) {
            return false;
        }
    }
}
