package org.proctap.tracedat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * trace-cmd reads proctap's files: {@code trace-cmd report} on a file TraceDatWriter wrote prints
 * every event, each equal to what proctap's decoders decoded from the same pages (time, CPU,
 * event, common_pid, the sched events' pids) and with the comm of the file's comm table, and it
 * passes over proctap's own option. Needs Debian's trace-cmd (apt-get install trace-cmd); the live
 * case needs root and tracefs.
 */
class TraceCmdIT {
    private static final byte[] PROCTAP_JSON = "{\"target\":\"test\"}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @BeforeAll
    static void traceCmdIsInstalled() {
        TraceCmd.require();
    }

    @Test
    void theInstalledTraceCmdPrintsTheCommittedReport() throws Exception {
        Path file = dir.resolve("sched-v6.dat");
        Files.write(file, Fixtures.file("sched-v6.dat"));
        assertThat(TraceCmd.run(dir, "report", "-t", file.toString()).lines())
                .isEqualTo(Fixtures.lines("sched-v6.dat.report"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixtures/linux-6.18/process-lifecycle", "fixtures/linux-6.18/process-lifecycle-subbuf8k"})
    void traceCmdReportsEveryEventOfOurFileAsWeDecodeIt(String path) throws Exception {
        Path file = dir.resolve("proctap.dat");
        writeWithComms(TracefsFixture.load(path), file);
        int compared = compare(file);
        assertThat(compared).isGreaterThan(900);
    }

    /** Writes the fixture with proctap's option, UNAME, and a comm table naming every pid of its events. */
    private void writeWithComms(TracefsFixture fixture, Path file) throws Exception {
        Map<Integer, String> comms = new TreeMap<>();
        fixture.write(file, Map.of(), List.of());
        try (TraceDatReader r = TraceDatReader.open(FileChannel.open(file))) {
            Decoding.decode(r).events().forEach(e -> comms.put(e.pid(), "task " + e.pid()));
        }
        comms.remove(0);
        comms.remove(-1);
        fixture.write(file, comms, List.of(new TraceDatOption(TraceDatOption.PROCTAP, PROCTAP_JSON),
                TraceDatOption.text(TraceDatOption.UNAME, "Linux test 6.18.0 x86_64")));
    }

    /** Lost-event marks in the pages are kept, and trace-cmd shows them where proctap's decoder sees them. */
    @Test
    void lostEventsAreShownByTraceCmdWhereWeSeeThem() throws Exception {
        TracefsFixture fixture = TracefsFixture.load("fixtures/linux-6.18/process-lifecycle").withLostEvents();
        Path file = dir.resolve("lost.dat");
        writeWithComms(fixture, file);
        assertThat(compare(file)).isEqualTo(990 + 2);
        List<String> report = TraceCmd.run(dir, "report", "-t", file.toString()).lines();
        assertThat(report).contains("CPU:0 [EVENTS DROPPED]", "CPU:1 [42 EVENTS DROPPED]");
    }

    /** Pages read from an instance of our own (8 KB sub-buffers), written, reported by trace-cmd. */
    @Test
    void aLiveRecordingWrittenByUsIsReportedByTraceCmd() throws Exception {
        Path file = dir.resolve("live.dat");
        try (LiveInstance live = LiveInstance.create(8)) {
            live.record();
            live.write(file, List.of(new TraceDatOption(TraceDatOption.PROCTAP, PROCTAP_JSON)));
        }
        int compared = compare(file);
        assertThat(compared).isGreaterThan(20);
    }

    /** Runs trace-cmd report on {@code file} and compares every line with our decoding; returns the count. */
    private int compare(Path file) throws Exception {
        TraceCmd.Output out = TraceCmd.run(dir, "report", "-t", file.toString());
        List<TraceCmdReport.Line> report = TraceCmdReport.parse(out.lines());
        try (TraceDatReader r = TraceDatReader.open(FileChannel.open(file))) {
            List<DecodedEvent> decoded = Decoding.decode(r).events();
            int withComm = 0;
            assertThat(report).as("events trace-cmd printed").hasSize(decoded.size());
            for (int i = 0; i < decoded.size(); i++) {
                assertThat(report.get(i).event()).as("event %d", i).isEqualTo(decoded.get(i));
                if (report.get(i).comm() == null) {
                    continue; // a lost-events mark
                }
                // A pid of the comm table shows its comm; others show what trace-cmd's sched plugin
                // learnt from earlier switches and forks, or "<...>".
                int pid = decoded.get(i).pid();
                if (pid == 0 || r.file().comms().containsKey(pid)) {
                    assertThat(report.get(i).comm()).as("comm of event %d", i)
                            .isEqualTo(pid == 0 ? "<idle>" : r.file().comms().get(pid));
                    withComm++;
                }
            }
            // trace-cmd passes over proctap's option with a warning, which is all it says.
            assertThat(out.stderr().lines().filter(l -> !l.isBlank()))
                    .allMatch(l -> l.contains("unknown option " + TraceDatOption.PROCTAP), "only the unknown-option warning");
            assertThat(r.file().proctapSection()).hasValue(PROCTAP_JSON);
            assertThat(withComm).as("events whose comm came from the table").isGreaterThan(decoded.size() / 10);
            System.out.printf("%s: trace-cmd report printed %d lines (events and lost-event marks), all equal to proctap's decoding (%d with the table's comm)%n",
                    file.getFileName(), decoded.size(), withComm);
            return decoded.size();
        }
    }
}
