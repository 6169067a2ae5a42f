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
        long recordFrom;
        long stolen;
        List<String> recordedHtml;
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
            try (StealSampler steal = new StealSampler();
                 Proctap rec = Proctap.start("record", "--html", "-o", file.toString(), "-p", Long.toString(pid))) {
                recordFrom = System.nanoTime();
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
                stolen = steal.stolenNs(recordFrom, System.nanoTime());
                rec.signal(Proctap.SIGINT);
                assertThat(rec.waitFor(EXIT)).as("proctap record's exit status after SIGINT").isZero();
                recordedHtml = List.copyOf(rec.stdout());
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

        // --perfetto: every switch and wake-up of the recording, in Perfetto's protobuf
        Path trace = dir.resolve("run.pftrace");
        assertThat(exportTo(file, "--perfetto", trace)).as("report --perfetto's exit status").isZero();
        long[] perfetto = new long[2];
        try (var in = Files.newInputStream(trace)) {
            org.proctap.perfetto.TraceFile.packets(in, p -> {
                for (var f : p.getFtraceEvents().getEventList()) {
                    perfetto[0] += f.hasSchedSwitch() ? 1 : 0;
                    perfetto[1] += f.hasSchedWaking() || f.hasSchedWakeupNew() ? 1 : 0;
                }
            });
        }
        long switches = ours.stream().filter(e -> e.event().equals("sched_switch")).count();
        long wakeups = ours.stream().filter(e -> e.event().startsWith("sched_wakeup")).count();
        System.out.printf("[measured] record-report --perfetto: %d switches, %d wake-ups in %d bytes%n", perfetto[0],
                perfetto[1], Files.size(trace));
        assertThat(perfetto).as("switches and wake-ups in the Perfetto trace").containsExactly(switches, wakeups);

        // --html: the page in a real browser draws one lane per CPU, and each watched thread's slices
        // add up to its on-CPU time: within 2% (switch to switch, which the kernel's charges differ
        // from by microseconds a slice) and what the hypervisor stole meanwhile (in the slices, not
        // in the kernel's runtime)
        Path html = dir.resolve("run.html");
        assertThat(exportTo(file, "--html", html)).as("report --html's exit status").isZero();
        assertThat(recordedHtml).as("record --html's stdout: the page report --html makes of its file")
                .isNotEmpty().isEqualTo(Files.readAllLines(html));
        try (org.proctap.timeline.TimelinePage page = org.proctap.timeline.TimelinePage.open(html)) {
            assertThat(page.devtools().errors()).as("console errors and exceptions").isEmpty();
            assertThat(page.eval("proctapTimeline.lanesDrawn()").asInt()).isEqualTo(
                    Integer.parseInt(Files.readString(Path.of("/sys/devices/system/cpu/possible")).strip()
                            .replaceAll(".*-", "")) + 1);
            Map<Integer, Long> drawn = new HashMap<>();
            TimelineBrowserIT.drawn(page).forEach((cpuTid, ns) ->
                    drawn.merge(Integer.parseInt(cpuTid.substring(cpuTid.indexOf('/') + 1)), ns, Long::sum));
            for (var e : roles.entrySet()) {
                long oncpu = mine.get(e.getKey())[0];
                long d = drawn.getOrDefault(e.getKey(), 0L);
                System.out.printf("[measured] record-report --html %-8s drawn %d ns, on-CPU %d ns (%+.3f%%), "
                        + "%d ms stolen from the CPUs%n", e.getValue(), d, oncpu, 100.0 * (d - oncpu) / oncpu,
                        stolen / 1_000_000);
                assertThat((double) d).as("%s: slices drawn vs on-CPU", e.getValue())
                        .isCloseTo(oncpu, within(0.02 * oncpu + stolen));
            }
        }
    }

    /** proctap report OPTION FILE > to; returns the exit status. */
    private static int exportTo(Path file, String option, Path to) throws Exception {
        Process p = new ProcessBuilder(Proctap.java(), "-jar", Proctap.jar().toString(), "report", option,
                file.toString()).redirectOutput(to.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("proctap report " + option + " did not end");
        }
        return p.exitValue();
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
