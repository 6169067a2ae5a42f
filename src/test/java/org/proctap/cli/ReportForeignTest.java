package org.proctap.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** proctap report on files trace-cmd wrote on this kernel (fixtures/linux-6.18/tracedat). */
class ReportForeignTest {
    private static final String DIR = "src/test/resources/fixtures/linux-6.18/tracedat/";

    private static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, out, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void aTraceCmdFileWithoutTheKernelsChargesIsRefusedSayingWhatToRecord() {
        // (trace-cmd extract of sched_switch, wakeups, fork, exec, exit: no sched_stat_runtime)
        for (String f : new String[] {"sched-v6.dat", "sched-v7.dat"}) {
            String[] r = run("report", "-i", "0", DIR + f);
            assertThat(r[0]).as("exit status").isEqualTo("1");
            assertThat(r[2].lines().toList()).singleElement().asString()
                    .contains(f + ": no sched:sched_stat_runtime events").contains("trace-cmd -e sched_stat_runtime");
        }
    }

    /**
     * A trace-cmd extract with the kernel's charges (runtime-v6.dat, record-runtime.sh: four
     * /bin/sh loops): each process exec'd in it is reported with the on-CPU time its own
     * sched_stat_runtime records charged it from its exec on, decoded here independently.
     */
    @Test
    void aTraceCmdFileWithTheKernelsChargesIsReportedForEveryProcessItSawExec() throws Exception {
        java.nio.file.Path file = java.nio.file.Path.of(DIR + "runtime-v6.dat");
        java.util.List<org.proctap.event.Event> events = new java.util.ArrayList<>();
        try (var r = org.proctap.tracedat.TraceDatReader.open(java.nio.channels.FileChannel.open(file))) {
            var h = r.header();
            java.util.List<org.proctap.source.tracefs.EventFormat> formats = new java.util.ArrayList<>();
            h.eventFormats().forEach((sys, texts) -> texts.forEach(
                    t -> formats.add(org.proctap.source.tracefs.EventFormat.parse(sys, t))));
            var decoder = org.proctap.source.tracefs.EventDecoder.create(formats);
            var pages = new org.proctap.source.tracefs.PageDecoder(
                    org.proctap.source.tracefs.PageLayout.parse(h.headerPage()),
                    org.proctap.source.tracefs.EventHeader.parse(h.headerEvent()), h.order());
            for (int i = 0; i < r.cpuCount(); i++) {
                int cpu = r.file().cpus().get(i).cpu();
                for (var it = r.subBuffers(i); it.hasNext(); ) {
                    pages.decode(it.next(), (ts, b, at, length) -> {
                        var e = decoder.decode(ts, cpu, b, at, length);
                        if (e != null) {
                            events.add(e);
                        }
                    });
                }
            }
        }
        events.sort(java.util.Comparator.comparingLong(org.proctap.event.Event::ts));
        java.util.Map<Integer, Long> execAt = new java.util.HashMap<>();
        java.util.Map<Integer, Long> charged = new java.util.TreeMap<>();
        for (var e : events) {
            if (e instanceof org.proctap.event.ProcessExec x) {
                execAt.putIfAbsent(x.pid(), x.ts());
            } else if (e instanceof org.proctap.event.SchedRuntime c && execAt.containsKey(c.pid())) {
                charged.merge(c.pid(), c.runtimeNs(), Long::sum);
            }
        }
        java.util.Map<Integer, Long> reported = new java.util.TreeMap<>();
        String[] r = run("report", "--json", "-i", "0", file.toString());
        assertThat(r[0]).as("exit status (stderr: %s)", r[2]).isEqualTo("0");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String line : r[1].lines().toList()) {
            var n = json.readTree(line);
            if (n.path("type").asText().equals("summary")) {
                reported.put(n.path("pid").asInt(), n.path("oncpu_ns").asLong());
            }
        }
        System.out.println("report of a trace-cmd file: on-CPU by pid " + reported + ", its charges since exec " + charged);
        assertThat(reported.keySet()).as("the processes it saw exec").isEqualTo(execAt.keySet());
        long busy = reported.values().stream().filter(v -> v > 20_000_000L).count();
        assertThat(busy).as("the four loops of a few tens of ms").isEqualTo(4);
        // (the first charge after an exec covers time before it too, which the accounting splits
        // off at the exec and this sum does not: up to a tick's charge, 100 us here)
        for (var e : charged.entrySet()) {
            assertThat((double) reported.get(e.getKey())).as("pid %d: on-CPU vs its charges", e.getKey())
                    .isCloseTo(e.getValue(), org.assertj.core.api.Assertions.within(0.01 * e.getValue() + 100_000));
        }
    }

    @Test
    void aCompressedTraceCmdFileIsOneLineSayingHowToUncompressIt() {
        String[] r = run("report", DIR + "sched-v7-zstd.dat");
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2].lines().toList()).singleElement().asString().contains("trace-cmd convert --compression none");
    }

    @Test
    void aFileOfAnotherKindIsOneLine() {
        String[] r = run("report", "pom.xml");
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2].lines().toList()).singleElement().asString().contains("not a trace.dat file");
    }
}
