package org.proctap.perfetto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.proctap.event.Event;
import org.proctap.event.SchedSwitch;
import org.proctap.event.SchedWakeup;
import org.proctap.event.TaskRename;
import org.proctap.perfetto.proto.FtraceEvent;
import org.proctap.perfetto.proto.FtraceEventBundle;
import org.proctap.perfetto.proto.TracePacket;

/**
 * compact_sched: switches (and wake-ups as sched_waking) in columns where trace_processor's
 * inference gives them back, in full elsewhere. Read back as trace_processor infers them
 * ({@link CompactReader}), every event equals its input.
 */
class CompactSchedTest {
    private static final TraceSystem SYSTEM = new TraceSystem("6.18.44", "x86_64", 2);

    @Test
    void handMadeEventsComeBackAsTraceProcessorInfersThem() {
        List<Event> in = List.of(
                new SchedWakeup(900, 0, 0, "cat", 400, 120, 0, false), // before CPU 0's first switch: no waker
                new SchedSwitch(1_000, 0, 0, "swapper/0", 0, 120, 0, "cat", 400, 120),
                new SchedWakeup(1_100, 0, 400, "sleeper", 42, 100, 1, false),
                new TaskRename(1_200, 0, 400, 400, "cat", "dog", 0), // exec while running: prev_comm is dog
                new SchedSwitch(1_300, 0, 400, "dog", 400, 120, 0x100, "kworker/0:1", 77, 120),
                new SchedSwitch(1_400, 1, 0, "swapper/1", 0, 120, 0, "sleeper", 42, 100),
                new SchedSwitch(1_500, 0, 77, "kworker/0:1", 77, 120, 0x80, "dog", 400, 120),
                new SchedSwitch(1_600, 1, 42, "sleeper", 42, 100, 0x1, "swapper/1", 0, 120),
                // A switch the recording's pid filter left out (swapper/1 to 99): prev is not the last next.
                new SchedSwitch(1_700, 1, 99, "unwatched", 99, 120, 0x1, "sleeper", 42, 100));
        for (int perBundle : new int[] {1, 2, 1024}) {
            List<TracePacket> packets = write(in, PerfettoOptions.DEFAULT.withCompactSched(true)
                    .withEventsPerBundle(perBundle));
            List<List<Event>> read = CompactReader.events(packets, 2);
            for (int cpu = 0; cpu < 2; cpu++) {
                int c = cpu;
                assertThat(read.get(cpu)).as("cpu%d, %d a bundle", cpu, perBundle).isEqualTo(
                        in.stream().filter(e -> e.cpu() == c).toList());
            }
            // In full: the rename, what comes before each CPU's first switch, and the switch after the gap.
            assertThat(packets.stream().filter(TracePacket::hasFtraceEvents)
                    .flatMap(p -> p.getFtraceEvents().getEventList().stream()).map(f -> f.getEventCase() + "@" + f.getTimestamp())
                    .toList()).containsExactlyInAnyOrder("SCHED_WAKING@900", "SCHED_SWITCH@1000", "TASK_RENAME@1200",
                    "SCHED_SWITCH@1400", "SCHED_SWITCH@1700");
        }
        FtraceEventBundle.CompactSched c = write(in, PerfettoOptions.DEFAULT.withCompactSched(true)).stream()
                .filter(p -> p.hasFtraceEvents() && p.getFtraceEvents().getCpu() == 0).findFirst().orElseThrow()
                .getFtraceEvents().getCompactSched();
        // One table per bundle, each comm once; the first timestamp absolute, the next ones deltas.
        assertThat(c.getInternTableList()).containsExactly("sleeper", "kworker/0:1", "dog");
        assertThat(c.getSwitchTimestampList()).containsExactly(1_300L, 200L);
        assertThat(c.getSwitchNextPidList()).containsExactly(77, 400);
        assertThat(c.getSwitchPrevStateList()).containsExactly(0x100L, 0x80L);
        assertThat(c.getWakingTimestampList()).containsExactly(1_100L);
        assertThat(c.getWakingPidList()).containsExactly(42);
    }

    @Test
    void wakeupsAsRecordedStayFullEvents() {
        List<Event> in = List.of(new SchedSwitch(1_000, 0, 0, "swapper/0", 0, 120, 0, "cat", 400, 120),
                new SchedWakeup(1_100, 0, 400, "child", 401, 120, 0, true));
        List<TracePacket> packets = write(in, PerfettoOptions.DEFAULT.withCompactSched(true)
                .withWakeups(Wakeups.AS_RECORDED));
        List<List<Event>> read = CompactReader.events(packets, 2);
        assertThat(read.get(0)).isEqualTo(in);
        assertThat(read.get(0).get(1)).isEqualTo(in.get(1)); // the waker and newTask kept
    }

    @ParameterizedTest
    @CsvSource({"fixtures/linux-6.18/process-lifecycle, AS_WAKING, 1024",
            "fixtures/linux-6.18/process-lifecycle, AS_RECORDED, 16",
            "fixtures/linux-6.18/process-lifecycle-subbuf8k, AS_WAKING, 5"})
    void aRecordingComesBackAsTraceProcessorInfersIt(String path, Wakeups wakeups, int perBundle) {
        Recording recording = Recording.load(path);
        PerfettoOptions options = PerfettoOptions.DEFAULT.withWakeups(wakeups).withCompactSched(true)
                .withEventsPerBundle(perBundle);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PerfettoWriter w = new PerfettoWriter(bytes, recording.system(), options)) {
            recording.inTimeOrder().forEach(w::accept);
        }
        List<TracePacket> packets = packets(bytes.toByteArray());
        List<List<Event>> read = CompactReader.events(packets, recording.cpus());
        int compared = 0;
        for (int cpu = 0; cpu < recording.cpus(); cpu++) {
            List<Event> expected = new ArrayList<>();
            for (Event e : recording.events().get(cpu)) {
                if (new FtraceEvents(wakeups).translate(e) != null) {
                    expected.add(TraceFile.expected(e, wakeups));
                }
            }
            for (int i = 0; i < Math.min(expected.size(), read.get(cpu).size()); i++) {
                assertThat(read.get(cpu).get(i)).as("cpu%d event #%d", cpu, i).isEqualTo(expected.get(i));
            }
            assertThat(read.get(cpu)).as("cpu%d", cpu).hasSameSizeAs(expected);
            compared += expected.size();
        }
        long[] columns = new long[2];
        long[] full = new long[2];
        for (TracePacket p : packets) {
            if (p.hasFtraceEvents()) {
                columns[0] += p.getFtraceEvents().getCompactSched().getSwitchTimestampCount();
                columns[1] += p.getFtraceEvents().getCompactSched().getWakingTimestampCount();
                for (FtraceEvent f : p.getFtraceEvents().getEventList()) {
                    full[0] += f.hasSchedSwitch() ? 1 : 0;
                    full[1] += f.hasSchedWaking() ? 1 : 0;
                }
            }
        }
        // The pid-filtered recording leaves gaps: some switches must be written in full, most not.
        assertThat(columns[0] + full[0]).isEqualTo(recording.events().stream().flatMap(List::stream)
                .filter(e -> e instanceof SchedSwitch).count());
        assertThat(columns[0]).isGreaterThan(full[0]);
        assertThat(full[0]).isGreaterThan(recording.cpus());
        System.out.printf("perfetto compact %s %s/%d: %d events compared; switches %d in columns, %d in full;"
                        + " wakings %d in columns, %d in full; %d bytes (%.1f per event)%n", path, wakeups, perBundle,
                compared, columns[0], full[0], columns[1], full[1], bytes.size(), (double) bytes.size() / compared);
    }

    @Test
    void aStormOfSwitchesIsAFifthOfTheSize() {
        long[] sizes = new long[2];
        for (int compact = 0; compact < 2; compact++) {
            long[] n = {0};
            java.io.OutputStream counting = new java.io.OutputStream() {
                @Override
                public void write(int b) {
                    n[0]++;
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    n[0] += len;
                }
            };
            try (PerfettoWriter w = new PerfettoWriter(counting, SYSTEM,
                    PerfettoOptions.DEFAULT.withCompactSched(compact == 1))) {
                for (int i = 0; i < 200_000; i++) {
                    int cpu = i % 2;
                    int k = i / 2;
                    int a = 4000 + 2 * cpu;
                    int prev = k % 2 == 0 ? a : a + 1;
                    int next = k % 2 == 0 ? a + 1 : a;
                    w.accept(new SchedWakeup(10_800_000_000_000L + 1_000L * i - 300, cpu, prev, "storm", next, 120, cpu,
                            false));
                    w.accept(new SchedSwitch(10_800_000_000_000L + 1_000L * i, cpu, prev, "storm", prev, 120, 1, "storm",
                            next, 120));
                }
            }
            sizes[compact] = n[0];
        }
        System.out.printf("perfetto storm, 200000 switches + 200000 wakings: full %d bytes (%.1f an event), compact %d"
                + " (%.1f)%n", sizes[0], sizes[0] / 400_000.0, sizes[1], sizes[1] / 400_000.0);
        assertThat(sizes[1] * 4).isLessThan(sizes[0]);
    }

    private static List<TracePacket> write(List<Event> in, PerfettoOptions options) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PerfettoWriter w = new PerfettoWriter(bytes, SYSTEM, options)) {
            in.forEach(w::accept);
        }
        return packets(bytes.toByteArray());
    }

    private static List<TracePacket> packets(byte[] bytes) {
        List<TracePacket> packets = new ArrayList<>();
        TraceFile.packets(new ByteArrayInputStream(bytes), packets::add);
        return packets;
    }
}
