package org.proctap.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.proctap.metric.Log2Slots;
import org.proctap.timeline.TaskTable;
import org.proctap.timeline.FixtureTimeline;
import org.proctap.timeline.Timeline;
import org.proctap.timeline.TimelinePage;
import org.proctap.timeline.TimelineWriter;
import org.proctap.timeline.WaitHistogram;

/**
 * The HTML timeline in a real headless chromium (Debian's), driven over the DevTools protocol:
 * it loads from file:// with no error of any kind, draws a lane per CPU, the slices its pixel
 * columns sum come to exactly the nanoseconds of the slices it was given (summed here from the
 * test's own list, by CPU and task, for the whole recording and for the range left after a wheel
 * zoom and a drag), the tooltip names the task under the pointer with the wait before its slice,
 * and 1.6 M slices draw without one rectangle per slice (frame times printed, not asserted).
 */
class TimelineBrowserIT {
    private static final long ORIGIN = 5_123_456_789_012L; // a CLOCK_MONOTONIC time, ns
    private static final long KNOWN_START = ORIGIN + 100_000_000L;
    private static final long KNOWN_END = KNOWN_START + 5_000_000L;
    private static final long KNOWN_WAIT = 800_000L;

    record Slice(int cpu, long start, long end, int tid, int tgid, String comm, boolean watched) {
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void drawsEveryCpuAndExactlyTheSlicesItWasGiven() throws Exception {
        List<Slice> slices = new ArrayList<>();
        Timeline t = synthetic(slices);
        Path html = write(t, "synthetic.html");
        try (TimelinePage page = TimelinePage.open(html)) {
            assertThat(page.devtools().errors()).as("errors while loading").isEmpty();
            assertThat(page.eval("proctapTimeline.lanesDrawn()").asInt()).isEqualTo(3);
            // the page's times count from the earliest slice or wait (a wake-up may precede ORIGIN)
            long origin = page.eval("proctapTimeline.header.originNs").asLong();
            assertThat(origin).isLessThanOrEqualTo(ORIGIN).isGreaterThan(ORIGIN - 300_000);
            JsonNode view = page.eval("proctapTimeline.view()");
            assertThat(view.get("startNs").asLong()).isZero();
            long full = view.get("endNs").asLong();
            assertThat(full).isEqualTo(slices.stream().mapToLong(Slice::end).max().orElseThrow() - origin);
            assertThat(drawn(page)).as("ns drawn per cpu/tid, whole recording").isEqualTo(sums(slices, origin, 0, full));

            // Every lane shows a long slice in colour; CPU 2, idle after 100 ms, shows nothing there.
            for (int cpu = 0; cpu < 3; cpu++) {
                int c = cpu;
                Slice s = slices.stream().filter(x -> x.cpu() == c && x.end() - x.start() > 1_000_000).findFirst().orElseThrow();
                assertThat(pixel(page, (s.start() + s.end()) / 2 - origin, cpu)).as("cpu %d in %s", cpu, s)
                        .isNotEqualTo(background(cpu));
            }
            assertThat(pixel(page, ORIGIN + 151_000_000L - origin, 2)).as("idle cpu 2 at 151 ms").isEqualTo(background(2));

            // Hover over the known slice: its task, times and the wait before it.
            double x = page.eval("proctapTimeline.xOf(" + ((KNOWN_START + KNOWN_END) / 2 - origin) + ")").asDouble();
            double y = page.eval("proctapTimeline.yOf(1)").asDouble();
            page.mouse("mouseMoved", x, y, Map.of());
            JsonNode tip = page.eval("(() => { const t = document.getElementById('pt-tooltip');"
                    + " return {hidden: t.hidden, text: t.textContent, ...t.dataset}; })()");
            assertThat(tip.get("hidden").asBoolean()).isFalse();
            assertThat(tip.get("tid").asText()).isEqualTo("1001");
            assertThat(tip.get("cpu").asText()).isEqualTo("1");
            assertThat(tip.get("startNs").asLong()).isEqualTo(KNOWN_START - origin);
            assertThat(tip.get("endNs").asLong()).isEqualTo(KNOWN_END - origin);
            assertThat(tip.get("waitNs").asLong()).isEqualTo(KNOWN_WAIT);
            assertThat(tip.get("text").asText()).contains("server-worker  tid 1001  pid 1000", "ran    5.000 ms",
                    "waited 800.000 µs before it");

            // The wheel zooms in around the pointer; the columns then sum exactly the visible parts.
            page.mouse("mouseWheel", x, y, Map.of("deltaX", 0, "deltaY", -800));
            page.eval("proctapTimeline.draw()");
            JsonNode zoomed = page.eval("proctapTimeline.view()");
            long a = zoomed.get("startNs").asLong();
            long z = zoomed.get("endNs").asLong();
            System.out.printf("timeline: wheel zoom %d..%d ns -> %d..%d ns%n", 0, full, a, z);
            assertThat(z - a).isLessThan(full / 2);
            assertThat(a).isLessThan(KNOWN_START - origin);
            assertThat(z).isGreaterThan(KNOWN_END - origin);
            assertThat(drawn(page)).as("ns drawn per cpu/tid after the zoom").isEqualTo(sums(slices, origin, a, z));

            // Dragging to the left shows later times.
            page.mouse("mousePressed", 700, y, Map.of("button", "left", "clickCount", 1));
            page.mouse("mouseMoved", 500, y, Map.of("button", "left", "buttons", 1));
            page.mouse("mouseReleased", 500, y, Map.of("button", "left", "clickCount", 1));
            page.eval("proctapTimeline.draw()");
            JsonNode panned = page.eval("proctapTimeline.view()");
            long pa = panned.get("startNs").asLong();
            long pz = panned.get("endNs").asLong();
            assertThat(pa).isGreaterThan(a);
            assertThat(pz - pa).isCloseTo(z - a, org.assertj.core.data.Offset.offset(2L));
            assertThat(drawn(page)).as("ns drawn per cpu/tid after the drag").isEqualTo(sums(slices, origin, pa, pz));

            // The buttons: "+" halves the span about its middle, "all" shows the whole recording again.
            page.eval("document.getElementById('pt-zoom-in').click(); proctapTimeline.draw()");
            JsonNode in = page.eval("proctapTimeline.view()");
            assertThat(in.get("endNs").asLong() - in.get("startNs").asLong())
                    .isCloseTo((pz - pa) / 2, org.assertj.core.data.Offset.offset(2L));
            page.eval("document.getElementById('pt-reset').click(); proctapTimeline.draw()");
            assertThat(page.eval("proctapTimeline.view()").get("endNs").asLong()).isEqualTo(full);
            assertThat(drawn(page)).isEqualTo(sums(slices, origin, 0, full));

            // The table and the histogram beside it.
            assertThat(page.eval("document.querySelectorAll('#pt-table tbody tr').length").asInt()).isEqualTo(2);
            assertThat(page.eval("document.getElementById('pt-hist').textContent").asText())
                    .contains("Wait histogram, PID 1000:", "512 -> 1023       : 1 ");
            assertThat(page.devtools().errors()).as("errors at the end").isEmpty();
        }
    }

    @Test
    @Timeout(600)
    void aPipeStormOf1_6MSlicesDrawsWithoutARectanglePerSlice() throws Exception {
        int perCpu = 800_000;
        long[] starts = new long[2 * perCpu];
        long[] ends = new long[2 * perCpu];
        int[] tids = new int[2 * perCpu];
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        long began = System.nanoTime();
        Timeline t = new Timeline(2);
        Random r = new Random(9);
        long end = 0;
        for (int cpu = 0; cpu < 2; cpu++) {
            long now = ORIGIN;
            for (int i = 0; i < perCpu; i++) {
                // perf bench sched pipe: two tasks hand a token back and forth, ~6 us on, ~6.5 us off
                int tid = 4000 + cpu * 2 + (i & 1);
                long start = now + 5_000 + r.nextInt(3_000);
                long len = 4_000 + r.nextInt(4_000);
                t.waitMark(cpu, tid, start - 1_000 - r.nextInt(2_000), start);
                t.slice(cpu, start, start + len, tid, 4000, "sched-pipe", true);
                starts[cpu * perCpu + i] = start;
                ends[cpu * perCpu + i] = start + len;
                tids[cpu * perCpu + i] = tid;
                now = start + len;
            }
            end = Math.max(end, now);
        }
        long buildNs = System.nanoTime() - began;
        System.gc();
        long heapAfter = rt.totalMemory() - rt.freeMemory();
        Path html = dir.resolve("storm.html");
        began = System.nanoTime();
        try (OutputStream out = Files.newOutputStream(html)) {
            TimelineWriter.write(t, out);
        }
        long writeNs = System.nanoTime() - began;
        System.out.printf("timeline: %d slices, %d waits over %.3f s; %d data bytes (%.2f a slice with its wait),"
                        + " heap +%.1f MB; built in %d ms, written in %d ms; page %.1f MB%n",
                t.slices(), t.waits(), (end - ORIGIN) / 1e9, t.dataBytes(), t.dataBytes() / (double) t.slices(),
                (heapAfter - heapBefore) / 1e6, buildNs / 1_000_000, writeNs / 1_000_000, Files.size(html) / 1e6);
        long loadBegan = System.nanoTime();
        try (TimelinePage page = TimelinePage.open(html)) {
            long loadMs = (System.nanoTime() - loadBegan) / 1_000_000;
            assertThat(page.devtools().errors()).isEmpty();
            assertThat(page.eval("proctapTimeline.slices").asLong()).isEqualTo(2L * perCpu);
            System.out.printf("timeline: browser start and page load %d ms, of which decoding %.0f ms; JS heap %.1f MB%n",
                    loadMs, page.eval("proctapTimeline.decodeMs").asDouble(),
                    page.eval("performance.memory.usedJSHeapSize").asDouble() / 1e6);
            long origin = page.eval("proctapTimeline.header.originNs").asLong();
            // at full zoom-out a pixel holds ~600 slices: the tooltip names the task that held it longest
            page.mouse("mouseMoved", 700, page.eval("proctapTimeline.yOf(1)").asDouble(), Map.of());
            JsonNode tip = page.eval("(() => { const t = document.getElementById('pt-tooltip');"
                    + " return {text: t.textContent, ...t.dataset}; })()");
            assertThat(tip.get("cpu").asInt()).isEqualTo(1);
            assertThat(tip.get("tid").asInt()).isIn(4002, 4003);
            assertThat(tip.get("text").asText()).containsPattern("\\d{3} slices in this pixel, \\d+% busy");
            System.out.printf("timeline: levels of detail built in %.0f ms%n", page.eval("proctapTimeline.levelsMs").asDouble());
            long span = page.eval("proctapTimeline.header.spanNs").asLong();
            for (long visible : new long[] {span, span / 3, span / 10, 300_000_000L, 100_000_000L, 10_000_000L, 1_000_000L}) {
                long a = (span - visible) / 2;
                JsonNode f = page.eval("(() => { const p = proctapTimeline; p.setView(" + a + ", " + (a + visible) + ");"
                        + " const ms = []; for (let i = 0; i < 15; i++) ms.push(p.draw()); ms.sort((x, y) => x - y);"
                        + " return {median: ms[7], max: ms[14], rects: p.rects(), columns: p.view().columns, phases: p.phases()}; })()");
                System.out.printf("timeline: frame at %.3f ms visible: median %.1f ms, max %.1f ms; rectangles per lane %s"
                                + " for %d columns%n", visible / 1e6, f.get("median").asDouble(), f.get("max").asDouble(),
                        f.get("rects"), f.get("columns").asInt());
                JsonNode v = page.eval("proctapTimeline.view()");
                System.out.println("timeline: last frame's phases " + f.get("phases") + ", view " + v);
                assertThat(drawn(page)).as("ns drawn per cpu/tid in %s", v).isEqualTo(
                        sums(starts, ends, tids, perCpu, origin, v.get("startNs").asLong(), v.get("endNs").asLong()));
                for (JsonNode rects : f.get("rects")) {
                    assertThat(rects.asInt()).isLessThanOrEqualTo(2 * f.get("columns").asInt());
                }
            }
            assertThat(page.devtools().errors()).isEmpty();
        }
    }

    /** On a HiDPI screen a column is a device pixel: twice as many, the same exact sums. */
    @Test
    @Timeout(120)
    void aHiDpiScreenDrawsDevicePixelColumns() throws Exception {
        List<Slice> slices = new ArrayList<>();
        Path html = write(synthetic(slices), "hidpi.html");
        try (TimelinePage page = TimelinePage.open(html, 2)) {
            assertThat(page.devtools().errors()).isEmpty();
            assertThat(page.eval("window.devicePixelRatio").asInt()).isEqualTo(2);
            JsonNode view = page.eval("proctapTimeline.view()");
            assertThat(view.get("columns").asInt()).isGreaterThan(2 * (TimelinePage.WIDTH - 120));
            long origin = page.eval("proctapTimeline.header.originNs").asLong();
            assertThat(drawn(page)).isEqualTo(sums(slices, origin, 0, view.get("endNs").asLong()));
            assertThat(page.eval("document.getElementById('pt-canvas').width").asInt())
                    .isEqualTo(2 * page.eval("document.getElementById('pt-canvas').clientWidth").asInt());
        }
    }

    /** The error collection works: a page whose data it cannot read reports it, and draws nothing. */
    @Test
    @Timeout(120)
    void aPageThatCannotReadItsDataIsCaughtFailing() throws Exception {
        Timeline t = new Timeline(1);
        t.slice(0, 0, 10, 1, 1, "a", true);
        Path html = write(t, "bad.html");
        Files.writeString(html, Files.readString(html).replace("{\"format\":1,", "{\"format\":2,"));
        try (TimelinePage page = TimelinePage.open(html)) {
            assertThat(page.devtools().errors()).singleElement().asString()
                    .startsWith("exception: ").contains("timeline data format 2: this page reads format 1");
            assertThat(page.eval("typeof proctapTimeline").asText()).isEqualTo("undefined");
        }
    }

    /** A real recording's timeline (FixtureTimeline), checked like the synthetic one and captured for the README. */
    @Test
    @Timeout(180)
    void aRealRecordingLoadsAndIsCaptured() throws Exception {
        FixtureTimeline fixture = FixtureTimeline.load();
        Path html = write(fixture.timeline(), "fixture.html");
        List<Slice> slices = fixture.slices().stream()
                .map(s -> new Slice(s.cpu(), s.start(), s.end(), s.tid(), s.tgid(), s.comm(), s.watched())).toList();
        try (TimelinePage page = TimelinePage.open(html)) {
            assertThat(page.devtools().errors()).isEmpty();
            assertThat(page.eval("proctapTimeline.lanesDrawn()").asInt()).isEqualTo(fixture.cpus());
            long origin = page.eval("proctapTimeline.header.originNs").asLong();
            long full = page.eval("proctapTimeline.view()").get("endNs").asLong();
            assertThat(drawn(page)).as("ns drawn per cpu/tid").isEqualTo(sums(slices, origin, 0, full));
            // the pointer on the middle of the recording's longest slice of a watched task
            var longest = fixture.slices().stream().filter(FixtureTimeline.Slice::watched)
                    .max(java.util.Comparator.comparingLong(s -> s.end() - s.start())).orElseThrow();
            page.mouse("mouseMoved", page.eval("proctapTimeline.xOf(" + ((longest.start() + longest.end()) / 2 - origin) + ")")
                    .asDouble(), page.eval("proctapTimeline.yOf(" + longest.cpu() + ")").asDouble(), Map.of());
            JsonNode tip = page.eval("({...document.getElementById('pt-tooltip').dataset})");
            assertThat(tip.get("tid").asInt()).isEqualTo(longest.tid());
            assertThat(tip.get("startNs").asLong()).isEqualTo(longest.start() - origin);
            assertThat(tip.get("endNs").asLong()).isEqualTo(longest.end() - origin);
            JsonNode shot = page.devtools().call("Page.captureScreenshot", Map.of("format", "png",
                    "captureBeyondViewport", true));
            byte[] png = Base64.getDecoder().decode(shot.get("data").asText());
            assertThat(png).startsWith(0x89, 'P', 'N', 'G');
            Path to = Path.of(System.getProperty("timeline.screenshot", "target/timeline.png"));
            Files.createDirectories(to.toAbsolutePath().getParent());
            Files.write(to, png);
            System.out.printf("timeline: the fixture's %d slices and %d waits, screenshot %s (%d bytes)%n",
                    fixture.slices().size(), fixture.waits().size(), to, png.length);
            assertThat(page.devtools().errors()).isEmpty();
        }
    }

    /** Three CPUs, two watched processes and two other tasks; CPU 2 idle after 100 ms; one known slice on CPU 1. */
    private static Timeline synthetic(List<Slice> into) {
        Timeline t = new Timeline(3);
        t.title("synthetic <test> & timeline");
        Random r = new Random(42);
        int[][] who = {{1000, 1000}, {1001, 1000}, {1002, 1000}, {2000, 2000}, {2001, 2000}, {30, 30}, {500, 500}};
        for (int cpu = 0; cpu < 3; cpu++) {
            long now = ORIGIN + cpu * 1_000L;
            long stop = ORIGIN + (cpu == 2 ? 100_000_000L : 200_000_000L);
            boolean known = cpu != 1;
            while (now < stop) {
                if (!known && now + 3_000_000L > KNOWN_START) {
                    t.waitMark(cpu, 1001, KNOWN_START - KNOWN_WAIT, KNOWN_START);
                    add(t, into, new Slice(cpu, KNOWN_START, KNOWN_END, 1001, 1000, "server-worker", true));
                    now = KNOWN_END;
                    known = true;
                    continue;
                }
                int[] w = who[r.nextInt(who.length)];
                long start = now + (r.nextInt(4) == 0 ? r.nextInt(300_000) : 0);
                long len = 1_000 + (long) Math.exp(r.nextDouble() * Math.log(2_000_000));
                boolean watched = w[1] >= 1000;
                String comm = switch (w[0]) {
                    case 1000 -> "server";
                    case 1001 -> "server-worker";
                    case 1002 -> start - ORIGIN < 50_000_000L ? "server" : "srv-io"; // renamed: a second task entry
                    case 2000, 2001 -> "client";
                    case 30 -> "kworker/0:1";
                    default -> "bash";
                };
                if (watched && r.nextBoolean()) {
                    t.waitMark(cpu, w[0], start - r.nextInt(200_000), start);
                }
                add(t, into, new Slice(cpu, start, start + len, w[0], w[1], comm, watched));
                now = start + len;
            }
        }
        t.table(new TaskTable(List.of("process", "tid", "on-CPU ms"), List.of(List.of("server", 1000, 1.5),
                java.util.Arrays.asList("client", 2000, null))));
        long[] counts = new long[Log2Slots.COUNT];
        counts[Log2Slots.ofNs(KNOWN_WAIT)]++;
        t.waitHistogram(new WaitHistogram("Wait histogram, PID 1000", counts));
        return t;
    }

    private static void add(Timeline t, List<Slice> into, Slice s) {
        t.slice(s.cpu(), s.start(), s.end(), s.tid(), s.tgid(), s.comm(), s.watched());
        into.add(s);
    }

    /** ns of each cpu/tid inside [a, z) (ns from {@code origin}), from the test's own list. */
    static Map<String, Long> sums(List<Slice> slices, long origin, long a, long z) {
        Map<String, Long> m = new TreeMap<>();
        for (Slice s : slices) {
            long from = Math.max(s.start() - origin, a);
            long to = Math.min(s.end() - origin, z);
            if (to > from) {
                m.merge(s.cpu() + "/" + s.tid(), to - from, Long::sum);
            }
        }
        return m;
    }

    private static Map<String, Long> sums(long[] starts, long[] ends, int[] tids, int perCpu, long origin, long a, long z) {
        Map<String, Long> m = new TreeMap<>();
        for (int i = 0; i < starts.length; i++) {
            long from = Math.max(starts[i] - origin, a);
            long to = Math.min(ends[i] - origin, z);
            if (to > from) {
                m.merge(i / perCpu + "/" + tids[i], to - from, Long::sum);
            }
        }
        return m;
    }

    /** What the page's last frame summed per cpu/tid (a task renamed has two entries: merged). */
    static Map<String, Long> drawn(TimelinePage page) {
        Map<String, Long> m = new TreeMap<>();
        for (JsonNode d : page.eval("proctapTimeline.drawnNs()")) {
            double ns = d.get("ns").asDouble();
            assertThat(ns).as("a whole number of ns").isEqualTo(Math.rint(ns));
            m.merge(d.get("cpu").asInt() + "/" + d.get("tid").asInt(), (long) ns, Long::sum);
        }
        return m;
    }

    /** The pixel at time t (ns from the origin) in the bottom row of a lane's slice bars, as "r,g,b". */
    private static String pixel(TimelinePage page, long t, int cpu) {
        return page.eval("(() => { const p = proctapTimeline; const d = document.getElementById('pt-canvas')"
                + ".getContext('2d').getImageData(Math.floor(p.xOf(" + t + ")), Math.floor(p.yOf(" + cpu + ") + 17), 1, 1).data;"
                + " return d[0] + ',' + d[1] + ',' + d[2]; })()").asText();
    }

    private static String background(int cpu) {
        return cpu % 2 == 0 ? "253,253,253" : "247,247,247";
    }

    private Path write(Timeline t, String name) throws Exception {
        Path html = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(html)) {
            TimelineWriter.write(t, out);
        }
        return html;
    }
}
