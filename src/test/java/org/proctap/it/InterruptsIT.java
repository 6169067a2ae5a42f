package org.proctap.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.proctap.metric.Softirq;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * irq and softirq against the kernel's own counts: a thread pinned to one CPU sends datagrams to
 * its own loopback UDP socket (src/test/c/ptudp.c), each of which runs one NET_RX softirq in its
 * context at the end of the send. Checked:
 * <ul>
 * <li>the NET_RX softirqs proctap charges it are at least 90% of the datagrams it sent (a
 *     softirq that the kernel defers to ksoftirqd is ksoftirqd's) and no more than the growth of
 *     the NET_RX line of /proc/softirqs on its CPU from its start to its end, and none on another CPU;
 * <li>over every row of every table, per CPU, the softirqs of each vector and the device irqs
 *     never exceed the growth of /proc/softirqs and of the numbered lines of /proc/interrupts
 *     from before proctap started to after it exited;
 * <li>its softirq time is positive and no more than its on-CPU time, and every task's softirq +
 *     irq time on a CPU no more than its on-CPU time there: without CONFIG_IRQ_TIME_ACCOUNTING the
 *     run-queue clock charges the current task the interrupts taken in its context
 *     (update_rq_clock_task(), kernel/sched/core.c); with it, they are left out of its runtime and
 *     these bounds could fail;
 * <li>each row's per-vector figures add up to its totals.
 * </ul>
 */
class InterruptsIT extends ItSupport {
    static final int CPU = 1;
    static final int RUN_MS = 1000;
    static final Path SOURCE = Workload.basedir().resolve("src/test/c/ptudp.c");
    private static final Pattern READY = Pattern.compile("ready pid=(\\d+) tid=(\\d+)");
    private static final Pattern SPAN = Pattern.compile("span tid=(\\d+) start=(\\d+) ns=(\\d+) sent=(\\d+)");

    @ParameterizedTest(name = "{0} by {1}")
    @MethodSource("org.proctap.it.ItSupport#backendsAndTargets")
    @Timeout(120)
    void softirqsInTheSendersContextAreChargedToIt(String backend, String target) throws Exception {
        assertThat(Runtime.getRuntime().availableProcessors()).as("CPUs (the test pins to CPU %d)", CPU)
                .isGreaterThan(CPU);
        Path copy = Workload.namedCopy(Workload.compile(SOURCE, "ptudp"), "ptu_");
        String name = copy.getFileName().toString();
        Process work = new ProcessBuilder(copy.toString(), "--ms", "" + RUN_MS, "--cpu", "" + CPU)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(work.getInputStream(), StandardCharsets.UTF_8));
            Matcher ready = READY.matcher(String.valueOf(lines.readLine()));
            assertThat(ready.matches()).as("the workload's ready line").isTrue();
            int tid = Integer.parseInt(ready.group(2));
            String[] args = target.equals("name")
                    ? new String[] {"--json", "-i", "1", "--backend", backend, name}
                    : new String[] {"--json", "-i", "1", "--backend", backend, "-p", Long.toString(work.pid())};
            InterruptCounts outerBefore = InterruptCounts.read();
            List<JsonNode> all;
            InterruptCounts during;
            long sent;
            try (Proctap p = Proctap.start(args)) {
                p.awaitStart(STARTUP);
                InterruptCounts before = InterruptCounts.read();
                OutputStream go = work.getOutputStream();
                go.write("go\n".getBytes(StandardCharsets.UTF_8));
                go.flush();
                String line = lines.readLine();
                Matcher span = SPAN.matcher(String.valueOf(line));
                assertThat(span.matches()).as("the workload's span line: %s", line).isTrue();
                assertThat(lines.readLine()).as("the workload's done line").isEqualTo("done");
                during = InterruptCounts.read().minus(before);
                sent = Long.parseLong(span.group(4));
                awaitBlocked(work.pid(), List.of(tid));
                p.signal(Proctap.SIGINT);
                assertThat(p.waitFor(EXIT)).as("proctap's exit status after SIGINT").isZero();
                all = p.json();
            }
            InterruptCounts outer = InterruptCounts.read().minus(outerBefore);
            assertJsonLinesWellFormed(all);
            List<JsonNode> rows = ofType(all, "stats");
            for (JsonNode t : ofType(all, "interval")) {
                assertThat(t.path("lost_total").asLong()).as("events lost: %s", t).isZero();
            }
            check(backend, target, rows, tid, sent, during, outer);
        } finally {
            work.destroyForcibly();
            work.waitFor();
            Files.deleteIfExists(copy);
        }
    }

    private static void check(String backend, String target, List<JsonNode> rows, int tid, long sent,
                              InterruptCounts during, InterruptCounts outer) {
        SoftAssertions soft = new SoftAssertions();
        List<JsonNode> mine = rows.stream().filter(r -> r.path("pid").asInt() == tid).toList();
        long netRx = mine.stream().mapToLong(r -> r.path("softirq_count_by_kind").path("NET_RX").asLong()).sum();
        long netRxNs = mine.stream().mapToLong(r -> r.path("softirq_ns_by_kind").path("NET_RX").asLong()).sum();
        long softNs = sum(mine, "softirq_ns", r -> true);
        long irqNs = sum(mine, "irq_ns", r -> true);
        long irqs = sum(mine, "irq_count", r -> true);
        long oncpu = sum(mine, "oncpu_ns", r -> true);
        long growth = during.softirq("NET_RX", CPU);
        System.out.printf("[measured] interrupts %s by %s: sent %d datagrams; NET_RX charged %d, /proc/softirqs "
                        + "NET_RX growth on CPU %d %d (%s); softirq %d ns (NET_RX %d ns, %.0f ns each) of on-CPU %d ns "
                        + "(%.1f%%); irq %d handlers %d ns%n", backend, target, sent, netRx, CPU, growth,
                percent(netRx, growth), softNs, netRxNs, netRx == 0 ? 0.0 : (double) netRxNs / netRx, oncpu,
                100.0 * softNs / oncpu, irqs, irqNs);
        soft.assertThat(sent).as("datagrams sent in %d ms", RUN_MS).isGreaterThan(1000);
        soft.assertThat(netRx).as("NET_RX softirqs charged to the sender vs the %d datagrams it sent", sent)
                .isGreaterThanOrEqualTo(sent * 9 / 10);
        soft.assertThat(netRx).as("NET_RX softirqs charged to the sender vs the NET_RX growth on CPU %d", CPU)
                .isPositive().isLessThanOrEqualTo(growth);
        soft.assertThat(mine.stream().filter(r -> r.path("cpu").asInt() != CPU)
                        .mapToLong(r -> r.path("softirq_count_by_kind").path("NET_RX").asLong()).sum())
                .as("NET_RX charged to the sender on another CPU than the one it is pinned to").isZero();
        soft.assertThat(softNs).as("the sender's softirq time vs its on-CPU time").isPositive()
                .isLessThanOrEqualTo(oncpu);
        soft.assertThat(netRxNs).as("its NET_RX time").isPositive().isLessThanOrEqualTo(softNs);

        int ncpu = Runtime.getRuntime().availableProcessors();
        for (int cpu = 0; cpu < ncpu; cpu++) {
            int c = cpu;
            List<JsonNode> here = rows.stream().filter(r -> r.path("cpu").asInt() == c).toList();
            long irqsHere = sum(here, "irq_count", r -> true);
            soft.assertThat(irqsHere).as("device irq handlers charged on CPU %d vs the growth of /proc/interrupts'"
                    + " numbered lines", cpu).isLessThanOrEqualTo(outer.deviceIrqs(cpu));
            for (String kind : Softirq.NAMES) {
                long charged = here.stream().mapToLong(r -> r.path("softirq_count_by_kind").path(kind).asLong()).sum();
                soft.assertThat(charged).as("%s softirqs charged on CPU %d vs /proc/softirqs", kind, cpu)
                        .isLessThanOrEqualTo(outer.softirq(kind, cpu));
            }
        }
        for (JsonNode r : rows) {
            long ns = 0;
            long count = 0;
            for (String kind : Softirq.NAMES) {
                ns += r.path("softirq_ns_by_kind").path(kind).asLong();
                count += r.path("softirq_count_by_kind").path(kind).asLong();
            }
            soft.assertThat(ns).as("softirq_ns_by_kind adds up to softirq_ns: %s", r)
                    .isEqualTo(r.path("softirq_ns").asLong());
            soft.assertThat(count).as("softirq_count_by_kind adds up to softirq_count: %s", r)
                    .isEqualTo(r.path("softirq_count").asLong());
        }
        // each task's interrupt time on each CPU, over the whole watch, within its on-CPU time there
        java.util.Map<String, long[]> perTaskCpu = new java.util.TreeMap<>();
        for (JsonNode r : rows) {
            long[] t = perTaskCpu.computeIfAbsent(r.path("pid").asInt() + " on CPU " + r.path("cpu").asInt(),
                    k -> new long[2]);
            t[0] += r.path("softirq_ns").asLong() + r.path("irq_ns").asLong();
            t[1] += r.path("oncpu_ns").asLong();
        }
        perTaskCpu.forEach((who, t) -> soft.assertThat(t[0])
                .as("softirq + irq time of task %s vs its on-CPU time there", who).isLessThanOrEqualTo(t[1]));
        soft.assertAll();
    }
}
