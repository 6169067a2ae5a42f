package org.proctap.perfetto;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.proctap.event.Event;
import org.proctap.event.SchedSwitch;
import org.proctap.event.SchedWakeup;
import org.proctap.event.TaskRename;
import org.proctap.output.OutputFailedException;
import org.proctap.perfetto.proto.FtraceEvent;
import org.proctap.perfetto.proto.FtraceEventBundle;
import org.proctap.perfetto.proto.ProcessTree;
import org.proctap.perfetto.proto.SystemInfo;
import org.proctap.perfetto.proto.TracePacket;
import org.proctap.perfetto.proto.Utsname;

import com.google.protobuf.CodedOutputStream;

/**
 * Writes proctap's events as a Perfetto trace (protos/perfetto/trace/trace.proto): a sequence of
 * TracePackets, streamed as they fill, for ui.perfetto.dev and trace_processor.
 *
 * <p>The first packet is SystemInfo (the kernel release: see {@link TraceSystem}). Events, given
 * in time order to {@link #accept}, are kept per CPU and written as one FtraceEventBundle packet
 * for that CPU when {@link PerfettoOptions#eventsPerBundle} of them are waiting, and at
 * {@link #close}, so memory holds at most that many events per CPU whatever the length of the
 * recording. Tasks given to {@link #task} are written as a ProcessTree packet before the next
 * bundle.
 *
 * <p>Timestamps are written as the events carry them, CLOCK_MONOTONIC ns. A bundle with no
 * ftrace_clock is read as BOOTTIME (src/trace_processor/importers/ftrace/ftrace_tokenizer.cc),
 * Perfetto's ftrace_clock has no value for the monotonic clock, and the trace has no other clock,
 * so the timeline is exact; only absolute times are labelled as boot time, which runs ahead of
 * CLOCK_MONOTONIC by the time the machine spent suspended before the recording.
 *
 * <p>Every packet carries trusted_packet_sequence_id 1, one writer being one sequence. The writer
 * owns the stream: {@link #close} closes it. A failed write throws {@link OutputFailedException}.
 */
public final class PerfettoWriter implements AutoCloseable {
    /** trace_processor keys sequences by this id; 0 would mean "no sequence" (trace_packet.proto). */
    static final int SEQUENCE_ID = 1;

    /** Tasks waiting for a ProcessTree packet, at most; more are written at once. */
    private static final int TASKS_PER_PACKET = 4096;

    private final OutputStream stream;
    private final CodedOutputStream out;
    private final FtraceEvents translator;
    private final int eventsPerBundle;
    private final FtraceEventBundle.Builder[] bundles;
    /** Per CPU when compact_sched is on, else null. */
    private final CompactSched[] compact;
    /** Per CPU: events waiting, and the time of the first of them. */
    private final int[] waiting;
    private final long[] firstWaiting;
    private final boolean[] lostBefore;
    /** Per CPU, the task the last switch ran (-1 before the first). */
    private final int[] running;
    private final List<TaskInfo> pendingTasks = new ArrayList<>();
    private final Map<String, Long> ignored = new TreeMap<>();
    private long unmatchedSwitches;
    private long written;
    private long packets;
    private long lastTs = -1;
    /** lastTs when the first waiting task was given: -1 when before every event. */
    private long tasksSince = -1;
    private boolean closed;

    /** A writer with {@link PerfettoOptions#DEFAULT}. */
    public PerfettoWriter(OutputStream out, TraceSystem system) {
        this(out, system, PerfettoOptions.DEFAULT);
    }

    /** Writes the SystemInfo packet at once. */
    public PerfettoWriter(OutputStream out, TraceSystem system, PerfettoOptions options) {
        int cpus = system.cpus();
        this.stream = out;
        this.out = CodedOutputStream.newInstance(out, 1 << 16);
        this.translator = new FtraceEvents(options.wakeups());
        this.eventsPerBundle = options.eventsPerBundle();
        this.bundles = new FtraceEventBundle.Builder[cpus];
        this.compact = options.compactSched() ? new CompactSched[cpus] : null;
        this.waiting = new int[cpus];
        this.firstWaiting = new long[cpus];
        this.lostBefore = new boolean[cpus];
        this.running = new int[cpus];
        Arrays.fill(running, -1);
        for (int cpu = 0; cpu < cpus; cpu++) {
            bundles[cpu] = FtraceEventBundle.newBuilder().setCpu(cpu);
            if (compact != null) {
                compact[cpu] = new CompactSched(options.wakeups() == Wakeups.AS_WAKING);
            }
        }
        write(packet().setSystemInfo(SystemInfo.newBuilder()
                .setUtsname(Utsname.newBuilder().setSysname("Linux").setRelease(system.release())
                        .setMachine(system.machine()))
                .setNumCpus(system.cpus())));
    }

    /** A task that exists (or existed) during the recording; written before the next bundle. */
    public void task(TaskInfo task) {
        checkOpen();
        if (pendingTasks.isEmpty()) {
            tasksSince = lastTs;
        }
        pendingTasks.add(task);
        if (pendingTasks.size() >= TASKS_PER_PACKET) {
            writeTasks();
        }
    }

    public void tasks(Collection<TaskInfo> tasks) {
        tasks.forEach(this::task);
    }

    /**
     * The kernel dropped events of {@code cpu} (its ring buffer overran) before the next one
     * given: that CPU's next bundle says so (lost_events), and trace_processor counts it in its
     * ftrace_cpu_has_data_loss stat.
     */
    public void eventsLost(int cpu) {
        checkOpen();
        checkCpu(cpu);
        flushCpu(cpu);
        lostBefore[cpu] = true;
    }

    /** One event; events Perfetto has no message for are counted in {@link #ignored}. */
    public void accept(Event event) {
        checkOpen();
        int cpu = event.cpu();
        boolean inColumns = false;
        if (compact != null && (event instanceof SchedSwitch || event instanceof SchedWakeup
                || event instanceof TaskRename)) {
            checkCpu(cpu);
            inColumns = compact[cpu].offer(event);
        }
        if (!inColumns) {
            FtraceEvent e = translator.translate(event);
            if (e == null) {
                ignored.merge(event.getClass().getSimpleName(), 1L, Long::sum);
                return;
            }
            checkCpu(cpu);
            bundles[cpu].addEvent(e);
        }
        if (event instanceof SchedSwitch s) {
            if (running[cpu] >= 0 && s.prevTid() != running[cpu]) {
                unmatchedSwitches++;
            }
            running[cpu] = s.nextTid();
        }
        if (waiting[cpu]++ == 0) {
            firstWaiting[cpu] = event.ts();
        }
        lastTs = Math.max(lastTs, event.ts());
        written++;
        if (waiting[cpu] >= eventsPerBundle) {
            flushCpu(cpu);
        }
    }

    /** Events written (or waiting in a bundle) so far. */
    public long written() {
        return written;
    }

    /**
     * Switches whose prev is not the task the CPU's previous switch ran: the recording lacks the
     * switches between (a pid-filtered recording drops those between unwatched tasks, a lossy
     * one what the kernel overwrote). trace_processor counts each as mismatched_sched_switch_tids
     * and leaves the previous task's slice open (ftrace_sched_event_tracker.cc PushSchedSwitch).
     */
    public long unmatchedSwitches() {
        return unmatchedSwitches;
    }

    /** Events not written, by record name ("SchedRuntime"), in name order. */
    public Map<String, Long> ignored() {
        return Map.copyOf(ignored);
    }

    /** Packets written to the stream so far (SystemInfo, ProcessTree and bundle packets). */
    public long packets() {
        return packets;
    }

    /** Bytes handed to the stream so far, or buffered for it. */
    public long bytes() {
        return out.getTotalBytesWritten();
    }

    /** Writes every waiting bundle and task, flushes the stream and closes it, even when a write fails. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        OutputFailedException failed = null;
        try {
            writeTasks();
            for (int cpu = 0; cpu < bundles.length; cpu++) {
                flushCpu(cpu);
            }
            out.flush();
        } catch (IOException e) {
            failed = new OutputFailedException(e);
        } catch (OutputFailedException e) {
            failed = e;
        }
        try {
            stream.close();
        } catch (IOException e) {
            failed = failed != null ? failed : new OutputFailedException(e);
        }
        if (failed != null) {
            throw failed;
        }
    }

    private void flushCpu(int cpu) {
        if (waiting[cpu] == 0) {
            return;
        }
        writeTasks();
        FtraceEventBundle.Builder bundle = bundles[cpu];
        if (compact != null) {
            compact[cpu].drainInto(bundle);
        }
        if (lostBefore[cpu]) {
            bundle.setLostEvents(true);
            lostBefore[cpu] = false;
        }
        write(packet().setFtraceEvents(bundle));
        bundle.clearEvent().clearCompactSched().clearLostEvents();
        waiting[cpu] = 0;
    }

    /**
     * The waiting tasks as one ProcessTree (protos/perfetto/trace/ps/process_tree.proto). A
     * process's main thread is a Process whose cmdline is its comm (cmdline_is_comm, as traced
     * writes it for a kernel thread or a zombie: proctap does not read /proc/PID/cmdline) and a
     * Thread; any other thread a Thread with its tgid. The packet is stamped with the time from
     * which the tasks were known: the latest event's when the first of them was given, or the
     * earliest waiting event's for tasks given before any event.
     */
    private void writeTasks() {
        if (pendingTasks.isEmpty()) {
            return;
        }
        ProcessTree.Builder tree = ProcessTree.newBuilder();
        for (TaskInfo t : pendingTasks) {
            if (t.mainThread()) {
                tree.addProcesses(ProcessTree.Process.newBuilder().setPid(t.tid()).addCmdline(t.comm())
                        .setCmdlineIsComm(true));
            }
            tree.addThreads(ProcessTree.Thread.newBuilder().setTid(t.tid()).setTgid(t.tgid()).setName(t.comm()));
        }
        pendingTasks.clear();
        TracePacket.Builder packet = packet().setProcessTree(tree);
        long ts = tasksSince >= 0 ? tasksSince : earliestWaiting();
        if (ts >= 0) {
            packet.setTimestamp(ts);
        }
        write(packet);
    }

    private long earliestWaiting() {
        long earliest = -1;
        for (int cpu = 0; cpu < bundles.length; cpu++) {
            if (waiting[cpu] > 0) {
                earliest = earliest < 0 ? firstWaiting[cpu] : Math.min(earliest, firstWaiting[cpu]);
            }
        }
        return earliest;
    }

    private static TracePacket.Builder packet() {
        return TracePacket.newBuilder().setTrustedPacketSequenceId(SEQUENCE_ID);
    }

    /** One packet as field 1 of Trace: a trace file is the concatenation of these records. */
    private void write(TracePacket.Builder packet) {
        try {
            out.writeMessage(1, packet.build());
        } catch (IOException e) {
            throw new OutputFailedException(e);
        }
        packets++;
    }

    private void checkCpu(int cpu) {
        if (cpu < 0 || cpu >= bundles.length) {
            throw new IllegalArgumentException("event on CPU " + cpu + " in a trace of " + bundles.length + " CPUs");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Perfetto writer already closed");
        }
    }
}
