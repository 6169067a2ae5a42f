package org.proctap.perfetto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.proctap.event.Event;
import org.proctap.event.SchedSwitch;
import org.proctap.perfetto.proto.FtraceEvent;
import org.proctap.perfetto.proto.SystemInfo;
import org.proctap.perfetto.proto.TracePacket;

/**
 * A real recording of Linux 6.18 (src/test/resources/fixtures/linux-6.18/, raw ring-buffer pages
 * decoded by PageDecoder and EventDecoder as a tracefs run decodes them) written as a Perfetto
 * trace and read back: every event Perfetto has a message for is in its CPU's bundles, in the
 * CPU's order, equal field for field; the others are counted, kind by kind.
 */
class RecordedFixturePerfettoTest {

    @ParameterizedTest
    @CsvSource({"fixtures/linux-6.18/process-lifecycle, AS_WAKING, 1024",
            "fixtures/linux-6.18/process-lifecycle, AS_RECORDED, 64",
            "fixtures/linux-6.18/process-lifecycle-subbuf8k, AS_RECORDED, 7"})
    void everyRecordedEventComesBackFromTheTrace(String path, Wakeups wakeups, int perBundle) {
        Recording recording = Recording.load(path);
        int cpus = recording.cpus();
        List<List<Event>> recorded = recording.events();

        // Into the writer in time order, as a report merges the CPUs (stable: a CPU keeps its order).
        List<Event> merged = recording.inTimeOrder();

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Map<String, Long> ignored;
        long written;
        long unmatched;
        try (PerfettoWriter w = new PerfettoWriter(bytes,
                recording.system(),
                PerfettoOptions.DEFAULT.withWakeups(wakeups).withEventsPerBundle(perBundle))) {
            merged.forEach(w::accept);
            ignored = w.ignored();
            written = w.written();
            unmatched = w.unmatchedSwitches();
        }

        List<TracePacket> packets = new ArrayList<>();
        TraceFile.packets(new ByteArrayInputStream(bytes.toByteArray()), packets::add);
        SystemInfo info = packets.getFirst().getSystemInfo();
        assertThat(info.getUtsname().getRelease()).isEqualTo("6.18.44-fc-v1098");
        assertThat(info.getUtsname().getMachine()).isEqualTo("x86_64");
        assertThat(info.getNumCpus()).isEqualTo(cpus);

        List<List<Event>> read = new ArrayList<>();
        for (int cpu = 0; cpu < cpus; cpu++) {
            read.add(new ArrayList<>());
        }
        for (TracePacket p : packets.subList(1, packets.size())) {
            assertThat(p.hasFtraceEvents()).isTrue();
            assertThat(p.getFtraceEvents().getEventCount()).isBetween(1, perBundle);
            for (FtraceEvent f : p.getFtraceEvents().getEventList()) {
                read.get(p.getFtraceEvents().getCpu()).add(TraceFile.event(f, p.getFtraceEvents().getCpu()));
            }
        }

        Map<String, Long> expectedIgnored = new TreeMap<>();
        int compared = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
            List<Event> expected = new ArrayList<>();
            for (Event e : recorded.get(cpu)) {
                if (written(e)) {
                    expected.add(TraceFile.expected(e, wakeups));
                } else {
                    expectedIgnored.merge(e.getClass().getSimpleName(), 1L, Long::sum);
                }
            }
            assertThat(read.get(cpu)).as("cpu%d", cpu).isEqualTo(expected);
            compared += expected.size();
        }
        assertThat(ignored).isEqualTo(expectedIgnored);
        assertThat(written).isEqualTo(compared);
        assertThat(ignored.keySet()).containsExactlyInAnyOrder("SchedRuntime", "TimerEntry", "TimerExit", "SyscallEnter",
                "SignalGenerate", "SignalDeliver");

        // The recording's counts (its README) reach the trace: what a Perfetto user would see.
        Map<FtraceEvent.EventCase, Long> kinds = new TreeMap<>();
        packets.stream().filter(TracePacket::hasFtraceEvents).flatMap(p -> p.getFtraceEvents().getEventList().stream())
                .forEach(f -> kinds.merge(f.getEventCase(), 1L, Long::sum));
        Map<FtraceEvent.EventCase, Long> want = new TreeMap<>(Map.of(FtraceEvent.EventCase.SCHED_SWITCH, 295L,
                FtraceEvent.EventCase.SCHED_MIGRATE_TASK, 34L, FtraceEvent.EventCase.TASK_NEWTASK, 9L,
                FtraceEvent.EventCase.TASK_RENAME, 11L, FtraceEvent.EventCase.SCHED_PROCESS_FORK, 9L,
                FtraceEvent.EventCase.SCHED_PROCESS_EXEC, 4L, FtraceEvent.EventCase.SCHED_PROCESS_EXIT, 10L));
        if (wakeups == Wakeups.AS_WAKING) {
            want.put(FtraceEvent.EventCase.SCHED_WAKING, 154L);
        } else {
            want.put(FtraceEvent.EventCase.SCHED_WAKEUP, 145L);
            want.put(FtraceEvent.EventCase.SCHED_WAKEUP_NEW, 9L);
        }
        if (path.endsWith("process-lifecycle")) {
            assertThat(kinds).isEqualTo(want);
        } else {
            assertThat(kinds.keySet()).isEqualTo(want.keySet());
        }

        // The kernel's raw prev_state went through: preempted tasks as 0x100 (R+), sleepers as 1 (S).
        List<Long> states = recorded.stream().flatMap(List::stream).filter(e -> e instanceof SchedSwitch)
                .map(e -> ((SchedSwitch) e).prevState()).distinct().toList();
        assertThat(states).contains(0x100L, 0x1L);

        // The recording is filtered by pid (set_event_pid): a switch between two unwatched tasks is
        // not in it, so the next recorded switch's prev is not the last one's next.
        long gaps = 0;
        for (List<Event> cpuEvents : recorded) {
            int last = -1;
            for (Event e : cpuEvents) {
                if (e instanceof SchedSwitch s) {
                    gaps += last >= 0 && s.prevTid() != last ? 1 : 0;
                    last = s.nextTid();
                }
            }
        }
        assertThat(unmatched).isEqualTo(gaps).isPositive();

        System.out.printf("perfetto %s %s/%d: %d events compared, %d ignored, %d packets, %d bytes (%.1f per event),"
                        + " %d of %d switches after a gap%n", path, wakeups, perBundle, compared,
                ignored.values().stream().mapToLong(Long::longValue).sum(), packets.size(), bytes.size(),
                (double) bytes.size() / compared, unmatched, kinds.get(FtraceEvent.EventCase.SCHED_SWITCH));
    }

    private static boolean written(Event e) {
        return new FtraceEvents(Wakeups.AS_WAKING).translate(e) != null;
    }
}
