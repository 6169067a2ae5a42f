package org.proctap.export;

import java.io.OutputStream;
import java.util.HashSet;
import java.util.Set;

import org.proctap.event.Event;
import org.proctap.model.Task;
import org.proctap.model.TaskRegistry;
import org.proctap.perfetto.PerfettoWriter;
import org.proctap.perfetto.TaskInfo;
import org.proctap.perfetto.TraceSystem;
import org.proctap.source.tracefs.RecordedSource;
import org.proctap.source.tracefs.RecordingInfo;

/**
 * proctap report --perfetto: a recording's events as a Perfetto trace, with the recorded kernel
 * release (trace_processor decodes prev_state by it) and each task as the accounting knew it.
 */
public final class PerfettoExport implements RecordedSource.EventTap, AutoCloseable {
    private final PerfettoWriter writer;
    private final Set<Integer> declared = new HashSet<>();

    public PerfettoExport(OutputStream out, RecordingInfo info) {
        writer = new PerfettoWriter(out, new TraceSystem(info.kernel(), machine(), info.cpus()));
        for (RecordingInfo.ProcAtStart p : info.procs()) {
            for (RecordingInfo.TaskAtStart t : p.tasks()) {
                declared.add(t.tid());
                writer.task(new TaskInfo(t.tid(), p.tgid(), t.comm()));
            }
        }
    }

    /** uname's machine for the JVM's os.arch. */
    static String machine() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64" -> "x86_64";
            case "aarch64" -> "aarch64";
            default -> arch;
        };
    }

    @Override
    public void event(Event event, TaskRegistry registry) {
        if (event.tid() != 0 && declared.add(event.tid())) {
            Task t = registry.task(event.tid());
            if (t != null) {
                writer.task(new TaskInfo(t.tid, t.tgid(), t.comm));
            }
        }
        writer.accept(event);
    }

    @Override
    public void lost(int cpu, long ts) {
        writer.eventsLost(cpu);
    }

    /** Switches whose previous task is not the one the CPU last ran (a pid-filtered recording). */
    public long unmatchedSwitches() {
        return writer.unmatchedSwitches();
    }

    @Override
    public void close() {
        writer.close();
    }
}
