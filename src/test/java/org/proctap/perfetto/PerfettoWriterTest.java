package org.proctap.perfetto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.proctap.event.Event;
import org.proctap.event.IrqEntry;
import org.proctap.event.ProcessExec;
import org.proctap.event.ProcessExit;
import org.proctap.event.ProcessFork;
import org.proctap.event.SchedMigrate;
import org.proctap.event.SchedRuntime;
import org.proctap.event.SchedSwitch;
import org.proctap.event.SchedWakeup;
import org.proctap.event.SignalDeliver;
import org.proctap.event.SoftirqEntry;
import org.proctap.event.SoftirqExit;
import org.proctap.event.TaskNew;
import org.proctap.event.TaskRename;
import org.proctap.event.TimerEntry;
import org.proctap.output.OutputFailedException;
import org.proctap.perfetto.proto.FtraceEvent;
import org.proctap.perfetto.proto.ProcessTree;
import org.proctap.perfetto.proto.Trace;
import org.proctap.perfetto.proto.TracePacket;

/** Hand-made events through the writer, read back with the generated classes. */
class PerfettoWriterTest {
    private static final TraceSystem SYSTEM = new TraceSystem("6.18.44-fc-v1098", "x86_64", 2);

    /** One event of every kind the writer translates, on both CPUs, in time order. */
    private static List<Event> everyKind() {
        return List.of(
                new TaskNew(1_000, 0, 500, 501, "parent", 0x1200011L, 0),
                new ProcessFork(1_100, 0, 500, "parent", 500, "parent", 501),
                new SchedWakeup(1_200, 0, 500, "parent", 501, 120, 1, true),
                new SchedSwitch(1_300, 1, 0, "swapper/1", 0, 120, 0, "parent", 501, 120),
                new TaskRename(1_400, 1, 501, 501, "parent", "child", -17),
                new ProcessExec(1_500, 1, 501, "/usr/bin/child-with-a-rather-long-path", 501, 501),
                new SchedWakeup(1_600, 1, 501, "sleeper", 42, 100, 0, false),
                // prev_state 0x100: preempted (TASK_REPORT_MAX, "R+"); 0x1: S; 0x2: D; 0x80: I.
                new SchedSwitch(1_700, 0, 500, "parent", 500, 120, 0x100, "sleeper", 42, 100),
                new SchedSwitch(1_800, 0, 42, "sleeper", 42, 100, 0x1, "kworker/0:1", 77, 120),
                new SchedSwitch(1_900, 0, 77, "kworker/0:1", 77, 120, 0x80, "parent", 500, 120),
                new SchedSwitch(2_000, 1, 501, "child", 501, 120, 0x2, "swapper/1", 0, 120),
                new SchedMigrate(2_100, 0, 500, "child", 501, 120, 1, 0),
                new SoftirqEntry(2_200, 0, 500, 3),
                new SoftirqExit(2_300, 0, 500, 3),
                new ProcessExit(2_400, 0, 501, "child", 501, 120, true),
                new SchedSwitch(2_500, 0, 501, "child", 501, 120, 0x10, "swapper/0", 0, 120));
    }

    @ParameterizedTest
    @EnumSource(Wakeups.class)
    void everyEventComesBackFieldForField(Wakeups wakeups) {
        List<Event> in = everyKind();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PerfettoOptions options = PerfettoOptions.DEFAULT.withWakeups(wakeups).withEventsPerBundle(3);
        try (PerfettoWriter w = new PerfettoWriter(bytes, SYSTEM, options)) {
            in.forEach(w::accept);
            assertThat(w.written()).isEqualTo(in.size());
            assertThat(w.ignored()).isEmpty();
            // CPU 0's last switch has prev 501, but its switch before ran 500.
            assertThat(w.unmatchedSwitches()).isEqualTo(1);
        }
        List<TracePacket> packets = packets(bytes.toByteArray());

        // SystemInfo first: what trace_processor needs before it decodes a prev_state.
        TracePacket first = packets.getFirst();
        assertThat(first.hasSystemInfo()).isTrue();
        assertThat(first.getSystemInfo().getUtsname().getSysname()).isEqualTo("Linux");
        assertThat(first.getSystemInfo().getUtsname().getRelease()).isEqualTo("6.18.44-fc-v1098");
        assertThat(first.getSystemInfo().getUtsname().getMachine()).isEqualTo("x86_64");
        assertThat(first.getSystemInfo().getNumCpus()).isEqualTo(2);
        assertThat(packets).allSatisfy(p -> assertThat(p.getTrustedPacketSequenceId()).isEqualTo(1));

        List<Event> out = new ArrayList<>();
        for (TracePacket p : packets.subList(1, packets.size())) {
            assertThat(p.hasFtraceEvents()).isTrue();
            assertThat(p.getFtraceEvents().getEventCount()).isBetween(1, 3);
            assertThat(p.getFtraceEvents().getLostEvents()).isFalse();
            for (FtraceEvent f : p.getFtraceEvents().getEventList()) {
                out.add(TraceFile.event(f, p.getFtraceEvents().getCpu()));
            }
        }
        // Bundles are per CPU: compare in each CPU's order, which is the input's.
        for (int cpu = 0; cpu < 2; cpu++) {
            int c = cpu;
            assertThat(out.stream().filter(e -> e.cpu() == c).toList()).as("cpu%d", cpu)
                    .isEqualTo(in.stream().filter(e -> e.cpu() == c).map(e -> TraceFile.expected(e, wakeups)).toList());
        }
        // 11 events on CPU 0 in bundles of 3 and 5 on CPU 1: 4 + 2 bundles.
        assertThat(packets).hasSize(1 + 4 + 2);
    }

    @Test
    void wakeupsAsWakingAreTheEventPerfettoBuildsThreadStatesFrom() {
        List<TracePacket> waking = write(Wakeups.AS_WAKING, everyKind());
        List<TracePacket> recorded = write(Wakeups.AS_RECORDED, everyKind());
        assertThat(cases(waking)).contains(FtraceEvent.EventCase.SCHED_WAKING)
                .doesNotContain(FtraceEvent.EventCase.SCHED_WAKEUP, FtraceEvent.EventCase.SCHED_WAKEUP_NEW);
        assertThat(cases(recorded)).contains(FtraceEvent.EventCase.SCHED_WAKEUP, FtraceEvent.EventCase.SCHED_WAKEUP_NEW)
                .doesNotContain(FtraceEvent.EventCase.SCHED_WAKING);
    }

    @Test
    void theRawPrevStateIsWrittenAsTheTracepointGaveIt() {
        List<Long> states = write(Wakeups.AS_WAKING, everyKind()).stream().filter(TracePacket::hasFtraceEvents)
                .flatMap(p -> p.getFtraceEvents().getEventList().stream()).filter(FtraceEvent::hasSchedSwitch)
                .map(f -> f.getSchedSwitch().getPrevState()).toList();
        assertThat(states).containsExactlyInAnyOrder(0L, 0x100L, 0x1L, 0x80L, 0x2L, 0x10L);
    }

    @Test
    void emptyInputIsSystemInfoAlone() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PerfettoWriter w = new PerfettoWriter(bytes, SYSTEM);
        w.close();
        List<TracePacket> packets = packets(bytes.toByteArray());
        assertThat(packets).hasSize(1);
        assertThat(packets.getFirst().hasSystemInfo()).isTrue();
        assertThat(w.written()).isZero();
        assertThat(w.packets()).isEqualTo(1);
        assertThat(w.bytes()).isEqualTo(bytes.size());
        // A valid Trace message as a whole, too.
        assertThat(parseTrace(bytes.toByteArray()).getPacketCount()).isEqualTo(1);
    }

    @Test
    void eventsPerfettoHasNoMessageForAreCountedNotWritten() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PerfettoWriter w = new PerfettoWriter(bytes, SYSTEM)) {
            w.accept(new SchedRuntime(10, 0, 5, "a", 5, 1000));
            w.accept(new SchedRuntime(11, 1, 6, "b", 6, 2000));
            w.accept(new TimerEntry(12, 0, 5, 236));
            w.accept(new IrqEntry(13, 1, 6, 24));
            w.accept(new SignalDeliver(14, 0, 5, 15, 0, 0, 0, 0));
            w.accept(new SchedSwitch(15, 0, 5, "a", 5, 120, 0, "b", 6, 120));
            assertThat(w.ignored()).isEqualTo(Map.of("SchedRuntime", 2L, "TimerEntry", 1L, "IrqEntry", 1L,
                    "SignalDeliver", 1L));
            assertThat(w.written()).isEqualTo(1);
        }
        assertThat(cases(packets(bytes.toByteArray()))).containsExactly(FtraceEvent.EventCase.SCHED_SWITCH);
    }

    @Test
    void tasksBecomeAProcessTreeBeforeTheFirstBundle() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // One event a bundle: each is written at once, the trees between them.
        try (PerfettoWriter w = new PerfettoWriter(bytes, SYSTEM, PerfettoOptions.DEFAULT.withEventsPerBundle(1))) {
            w.tasks(List.of(new TaskInfo(300, 300, "server"), new TaskInfo(301, 300, "worker"),
                    new TaskInfo(400, 400, "cat")));
            w.accept(new SchedSwitch(4_000, 0, 0, "swapper/0", 0, 120, 0, "server", 300, 120));
            w.accept(new SchedSwitch(5_000, 1, 0, "swapper/1", 0, 120, 0, "worker", 301, 120));
            w.accept(new SchedSwitch(6_000, 0, 300, "server", 300, 120, 1, "cat", 400, 120));
            w.task(new TaskInfo(401, 400, "cat-thread"));
        }
        List<TracePacket> packets = packets(bytes.toByteArray());
        assertThat(packets.get(1).hasProcessTree()).isTrue();
        ProcessTree tree = packets.get(1).getProcessTree();
        // Known from the start: stamped with the earliest event.
        assertThat(packets.get(1).getTimestamp()).isEqualTo(4_000);
        assertThat(tree.getProcessesList()).extracting(ProcessTree.Process::getPid, p -> p.getCmdline(0),
                        ProcessTree.Process::getCmdlineIsComm, ProcessTree.Process::getCmdlineCount)
                .containsExactly(tuple(300, "server", true, 1),
                        tuple(400, "cat", true, 1));
        assertThat(tree.getThreadsList()).extracting(ProcessTree.Thread::getTid, ProcessTree.Thread::getTgid,
                ProcessTree.Thread::getName).containsExactly(tuple(300, 300, "server"),
                tuple(301, 300, "worker"), tuple(400, 400, "cat"));
        // A task learnt later: its own tree, stamped with the latest event before it.
        TracePacket late = packets.stream().filter(TracePacket::hasProcessTree).toList().getLast();
        assertThat(late.getTimestamp()).isEqualTo(6_000);
        assertThat(late.getProcessTree().getProcessesCount()).isZero();
        assertThat(late.getProcessTree().getThreadsList()).extracting(ProcessTree.Thread::getTid,
                ProcessTree.Thread::getTgid).containsExactly(tuple(401, 400));
        assertThat(packets).extracting(p -> p.getDataCase().name()).containsExactly("SYSTEM_INFO", "PROCESS_TREE",
                "FTRACE_EVENTS", "FTRACE_EVENTS", "FTRACE_EVENTS", "PROCESS_TREE");
    }

    @Test
    void lostEventsMarkTheNextBundleOfThatCpu() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PerfettoWriter w = new PerfettoWriter(bytes, SYSTEM)) {
            w.accept(new SoftirqEntry(1, 1, 7, 1));
            w.eventsLost(1);
            w.accept(new SoftirqExit(2, 1, 7, 1));
            w.accept(new SoftirqEntry(3, 0, 8, 1));
        }
        List<TracePacket> bundles = packets(bytes.toByteArray()).stream().filter(TracePacket::hasFtraceEvents).toList();
        assertThat(bundles).extracting(p -> p.getFtraceEvents().getCpu(), p -> p.getFtraceEvents().getEventCount(),
                        p -> p.getFtraceEvents().getLostEvents())
                .containsExactly(tuple(1, 1, false),
                        tuple(0, 1, false),
                        tuple(1, 1, true));
    }

    @Test
    void badInputSaysWhat() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PerfettoWriter w = new PerfettoWriter(bytes, SYSTEM);
        assertThatThrownBy(() -> w.accept(new SoftirqEntry(1, 2, 7, 1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("event on CPU 2 in a trace of 2 CPUs");
        w.close();
        assertThatThrownBy(() -> w.accept(new SoftirqEntry(1, 0, 7, 1))).isInstanceOf(IllegalStateException.class)
                .hasMessage("Perfetto writer already closed");
        assertThatThrownBy(() -> new TraceSystem("", "x86_64", 2)).hasMessage(
                "a Perfetto trace needs the kernel release (uname -r)");
        assertThatThrownBy(() -> new TraceSystem("6.18", "x86_64", 0)).hasMessage("CPU count 0 is not in 1..1024");
        assertThatThrownBy(() -> PerfettoOptions.DEFAULT.withEventsPerBundle(0))
                .hasMessage("events per bundle must be at least 1, not 0");
    }

    @Test
    void aFailedWriteIsOutputFailed() {
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        PerfettoWriter w = new PerfettoWriter(full, SYSTEM, PerfettoOptions.DEFAULT.withEventsPerBundle(1));
        // The first packets fit the writer's buffer; the stream sees them at a flush.
        assertThatThrownBy(() -> {
            for (int i = 0; i < 10_000; i++) {
                w.accept(new SoftirqEntry(i, 0, 7, 1));
            }
        }).isInstanceOf(OutputFailedException.class).hasMessage("No space left on device");

        // A failed last flush still closes the stream, and says why.
        boolean[] closedStream = {false};
        PerfettoWriter small = new PerfettoWriter(new java.io.FilterOutputStream(full) {
            @Override
            public void close() {
                closedStream[0] = true;
            }
        }, SYSTEM);
        small.accept(new SoftirqEntry(1, 0, 7, 1));
        assertThatThrownBy(small::close).isInstanceOf(OutputFailedException.class)
                .hasMessage("No space left on device");
        assertThat(closedStream[0]).isTrue();
    }

    @Test
    void closeClosesTheStreamOnce() {
        int[] closes = {0};
        OutputStream counting = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closes[0]++;
            }
        };
        PerfettoWriter w = new PerfettoWriter(counting, SYSTEM);
        w.close();
        w.close();
        assertThat(closes[0]).isEqualTo(1);
    }

    private static List<TracePacket> write(Wakeups wakeups, List<Event> events) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PerfettoWriter w = new PerfettoWriter(bytes, SYSTEM, PerfettoOptions.DEFAULT.withWakeups(wakeups))) {
            events.forEach(w::accept);
        }
        return packets(bytes.toByteArray());
    }

    private static List<FtraceEvent.EventCase> cases(List<TracePacket> packets) {
        return packets.stream().filter(TracePacket::hasFtraceEvents)
                .flatMap(p -> p.getFtraceEvents().getEventList().stream()).map(FtraceEvent::getEventCase).toList();
    }

    static List<TracePacket> packets(byte[] bytes) {
        List<TracePacket> packets = new ArrayList<>();
        TraceFile.packets(new ByteArrayInputStream(bytes), packets::add);
        assertThat(parseTrace(bytes).getPacketList()).isEqualTo(packets);
        return packets;
    }

    private static Trace parseTrace(byte[] bytes) {
        try {
            return Trace.parseFrom(bytes);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
