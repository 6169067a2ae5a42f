package org.proctap.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

import com.fasterxml.jackson.databind.JsonNode;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.proctap.tracedat.DecodedEvent;
import org.proctap.tracedat.Decoding;
import org.proctap.tracedat.TraceCmd;
import org.proctap.tracedat.TraceCmdReport;
import org.proctap.tracedat.TraceDatReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * proctap record, then proctap report, on the workload of WhereTimeWentIT (src/test/c/ptsched.c,
 * six threads with known contention), watched by pid: every thread's on-CPU time and wait in the
 * report against the kernel's own (/proc/PID/task/TID/schedstat from before "go" to after it
 * blocked for good; 2%, as a live tracefs watch), its context switches against the status
 * counters (within 1), and the recording read by Debian's trace-cmd: every event it prints is one
 * proctap decoded from the file, and the other way round.
 */
class RecordReportIT extends ItSupport {
    @Test
    @Timeout(120)
    void aRecordingReportsWhatTheKernelCountedAndTraceCmdReadsEveryEventOfIt(@TempDir Path dir) throws Exception {
        TraceCmd.require();
        Path copy = Workload.namedCopy(Workload.compile(WhereTimeWentIT.SOURCE, "ptsched"), "ptr_");
        Process work = new ProcessBuilder(copy.toString(), "--ms", "1000", "--dir", Workload.BUILD_DIR.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Path file = dir.resolve("run.dat");
        Map<Integer, String> roles = new LinkedHashMap<>();
        Map<Integer, WhereTimeWentIT.Truth> before = new HashMap<>();
        Map<Integer, WhereTimeWentIT.Truth> after = new HashMap<>();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(work.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null && !line.startsWith("ready")) {
                Matcher m = java.util.regex.Pattern.compile("thread role=(\\S+) tid=(\\d+)").matcher(line);
                if (m.matches()) {
                    roles.put(Integer.parseInt(m.group(2)), m.group(1));
                }
            }
            assertThat(roles).as("the workload's threads").hasSize(6);
            long pid = work.pid();
            try (Proctap rec = Proctap.start("record", "-o", file.toString(), "-p", Long.toString(pid))) {
                awaitStderr(rec, "recording to " + file, STARTUP);
                for (int tid : roles.keySet()) {
                    before.put(tid, WhereTimeWentIT.Truth.of(pid, tid));
                }
                OutputStream go = work.getOutputStream();
                go.write("go\n".getBytes(StandardCharsets.UTF_8));
                go.flush();
                while ((line = lines.readLine()) != null && !line.startsWith("done")) {
                    // (the workload's own figures are not needed here)
                }
                awaitBlocked(pid, roles.keySet());
                for (int tid : roles.keySet()) {
                    after.put(tid, WhereTimeWentIT.Truth.of(pid, tid));
                }
                rec.signal(Proctap.SIGINT);
                assertThat(rec.waitFor(EXIT)).as("proctap record's exit status after SIGINT").isZero();
                assertThat(rec.stdout()).as("record prints nothing on stdout").isEmpty();
                assertThat(String.join("\n", rec.stderr())).contains("recorded " + file);
            }
        } finally {
            work.destroyForcibly();
            work.waitFor();
        }
        assertThat(Files.size(file)).as("the recording's size").isGreaterThan(4096);

        // report, as root or not: the file is all it needs
        List<JsonNode> all;
        try (Proctap rep = Proctap.start("report", "--json", "-i", "1", file.toString())) {
            assertThat(rep.waitFor(EXIT)).as("proctap report's exit status").isZero();
            all = rep.json();
        }
        Map<Integer, long[]> mine = new HashMap<>();
        for (JsonNode r : all) {
            if (r.path("type").asText().equals("stats")) {
                long[] v = mine.computeIfAbsent(r.path("pid").asInt(), k -> new long[4]);
                v[0] += r.path("oncpu_ns").asLong();
                v[1] += r.path("wait_ns").asLong();
                v[2] += r.path("vol").asLong();
                v[3] += r.path("preempt").asLong();
            }
        }
        assertThat(all.stream().filter(n -> n.path("type").asText().equals("interval")).count())
                .as("tables of one second, and the final one").isGreaterThanOrEqualTo(2);
        SoftAssertions soft = new SoftAssertions();
        for (var e : roles.entrySet()) {
            int tid = e.getKey();
            long[] v = mine.getOrDefault(tid, new long[4]);
            long oncpu = after.get(tid).sched().oncpuNs() - before.get(tid).sched().oncpuNs();
            long wait = after.get(tid).sched().waitNs() - before.get(tid).sched().waitNs();
            long vol = after.get(tid).switches().voluntary() - before.get(tid).switches().voluntary();
            long preempt = after.get(tid).switches().nonvoluntary() - before.get(tid).switches().nonvoluntary();
            System.out.printf("[measured] record-report %-8s on-cpu %d/%d (%+.3f%%) wait %d/%d (%+.3f%%) vol %d/%d "
                    + "preempt %d/%d%n", e.getValue(), v[0], oncpu, 100.0 * (v[0] - oncpu) / oncpu, v[1], wait,
                    100.0 * (v[1] - wait) / Math.max(1, wait), v[2], vol, v[3], preempt);
            soft.assertThat((double) v[0]).as("%s: on-CPU vs schedstat", e.getValue()).isCloseTo(oncpu, within(0.02 * oncpu));
            soft.assertThat((double) v[1]).as("%s: wait vs run_delay", e.getValue())
                    .isCloseTo(wait, within(Math.max(0.02 * wait, 20_000.0)));
            soft.assertThat(v[2]).as("%s: vol", e.getValue()).isBetween(vol - 1, vol + 1);
            soft.assertThat(v[3]).as("%s: preempt", e.getValue()).isBetween(preempt - 1, preempt + 1);
        }
        soft.assertAll();

        // trace-cmd reads the file: the same events, one by one (pages of three instances share each
        // CPU's data, so trace-cmd's order within a CPU may differ: compared sorted)
        TraceCmd.Output out = TraceCmd.run(dir, "report", "-t", file.toString());
        List<DecodedEvent> theirs = new ArrayList<>(TraceCmdReport.parse(out.lines()).stream()
                .map(TraceCmdReport.Line::event).toList());
        List<DecodedEvent> ours;
        try (TraceDatReader r = TraceDatReader.open(FileChannel.open(file))) {
            ours = new ArrayList<>(Decoding.decode(r).events());
        }
        Comparator<DecodedEvent> order = Comparator.comparingLong(DecodedEvent::ts).thenComparingInt(DecodedEvent::cpu)
                .thenComparing(DecodedEvent::event).thenComparingInt(DecodedEvent::pid)
                .thenComparing(x -> x.ids().toString());
        theirs.sort(order);
        ours.sort(order);
        System.out.printf("[measured] record-report: %d events in %d bytes; trace-cmd printed %d%n", ours.size(),
                Files.size(file), theirs.size());
        assertThat(ours).as("events proctap decoded").hasSizeGreaterThan(1000);
        assertThat(theirs).as("trace-cmd report's events, against proctap's decoding of the file").isEqualTo(ours);
    }

    private static void awaitStderr(Proctap p, String text, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (p.stderr().stream().anyMatch(l -> l.contains(text))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no \"" + text + "\" on stderr\n" + p.dump());
    }
}
