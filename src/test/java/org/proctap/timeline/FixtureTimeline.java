package org.proctap.timeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

import org.proctap.event.Event;
import org.proctap.event.SchedSwitch;
import org.proctap.event.SchedWakeup;
import org.proctap.event.TaskNew;
import org.proctap.metric.Log2Slots;
import org.proctap.source.tracefs.EventDecoder;
import org.proctap.source.tracefs.EventFormat;
import org.proctap.source.tracefs.EventHeader;
import org.proctap.source.tracefs.PageDecoder;
import org.proctap.source.tracefs.PageLayout;

/**
 * A timeline of a real recording: the tracefs fixture fixtures/linux-6.18/process-lifecycle
 * (scripts/record-tracefs-fixture: a workload that forks, spawns, starts a thread and execs,
 * recorded under set_event_pid, so every switch into or out of it is there). A slice runs from one
 * sched_switch to the next on its CPU when that one switches the same task out (a slice of an
 * unwatched task between two switches the pid filter dropped has no known end and is left out);
 * a wait runs from sched_wakeup, or from a preempting switch-out, to the switch-in. Watched: the
 * workload's first task and every task it created (task_newtask), by tgid (a CLONE_THREAD child
 * is its parent's); an unwatched task's process is not in the recording, so its pid is its tid.
 */
public final class FixtureTimeline {
    static final String PATH = "/fixtures/linux-6.18/process-lifecycle/";

    public record Slice(int cpu, long start, long end, int tid, int tgid, String comm, boolean watched) {
    }

    public record Wait(int cpu, int tid, long woke, long in) {
    }

    private final List<Slice> slices = new ArrayList<>();
    private final List<Wait> waits = new ArrayList<>();
    private final int cpus;

    private FixtureTimeline(int cpus) {
        this.cpus = cpus;
    }

    public List<Slice> slices() {
        return slices;
    }

    public List<Wait> waits() {
        return waits;
    }

    public int cpus() {
        return cpus;
    }

    public static FixtureTimeline load() {
        Properties manifest = new Properties();
        try {
            manifest.load(new StringReader(text("manifest.properties")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<EventFormat> formats = new ArrayList<>();
        for (String event : manifest.getProperty("events").split(" ")) {
            formats.add(EventFormat.parse(event.substring(0, event.indexOf('/')), text("formats/" + event)));
        }
        ByteOrder order = manifest.getProperty("byte_order").equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        PageDecoder pages = new PageDecoder(PageLayout.parse(text("header_page")), EventHeader.parse(text("header_event")), order);
        EventDecoder decoder = EventDecoder.create(formats);
        int cpus = Integer.parseInt(manifest.getProperty("cpus"));
        int subBuffer = Integer.parseInt(manifest.getProperty("subbuf_bytes"));
        List<Event> all = new ArrayList<>();
        for (int cpu = 0; cpu < cpus; cpu++) {
            byte[] raw = bytes("cpu" + cpu + ".raw");
            int c = cpu;
            for (int at = 0; at < raw.length; at += subBuffer) {
                pages.decode(ByteBuffer.wrap(raw, at, subBuffer).slice(), (ts, b, off, len) -> all.add(decoder.decode(ts, c, b, off, len)));
            }
        }
        all.sort(java.util.Comparator.comparingLong(Event::ts)); // stable: each CPU's order is kept
        FixtureTimeline f = new FixtureTimeline(cpus);
        f.build(all);
        return f;
    }

    private void build(List<Event> events) {
        Map<Integer, Integer> tgid = new HashMap<>();
        Set<Integer> watched = new HashSet<>();
        Map<Integer, Long> waitingSince = new HashMap<>();
        SchedSwitch[] last = new SchedSwitch[cpus];
        for (Event e : events) {
            switch (e) {
                case TaskNew n -> {
                    if (watched.isEmpty()) {
                        watched.add(n.tid()); // the workload's first task creates the first child
                        tgid.put(n.tid(), n.tid());
                    }
                    if (watched.contains(n.tid())) {
                        watched.add(n.child());
                        tgid.put(n.child(), n.thread() ? tgid.getOrDefault(n.tid(), n.tid()) : n.child());
                    }
                }
                case SchedWakeup w -> waitingSince.putIfAbsent(w.wakee(), w.ts());
                case SchedSwitch s -> {
                    SchedSwitch p = last[s.cpu()];
                    if (p != null && p.nextTid() == s.prevTid() && s.prevTid() != 0) {
                        int t = s.prevTid();
                        slices.add(new Slice(s.cpu(), p.ts(), s.ts(), t, tgid.getOrDefault(t, t), p.nextComm(),
                                watched.contains(t)));
                    }
                    if (s.preempted() && s.prevTid() != 0) {
                        waitingSince.put(s.prevTid(), s.ts());
                    }
                    Long woke = waitingSince.remove(s.nextTid());
                    if (woke != null && s.nextTid() != 0) {
                        waits.add(new Wait(s.cpu(), s.nextTid(), woke, s.ts()));
                    }
                    last[s.cpu()] = s;
                }
                default -> {
                }
            }
        }
    }

    /** The timeline of the recording, with a per-task table and the watched tasks' wait histogram. */
    public Timeline timeline() {
        Timeline t = new Timeline(cpus);
        t.title("proctap timeline: fixtures/linux-6.18/process-lifecycle");
        Map<String, long[]> rows = new TreeMap<>(); // "tgid/tid/cpu" -> runs, on-cpu ns, wait ns
        Map<String, String> names = new HashMap<>();
        Map<Integer, Boolean> watched = new HashMap<>();
        Map<Integer, Integer> tgidOf = new HashMap<>();
        List<Object[]> merged = new ArrayList<>();
        for (Slice s : slices) {
            merged.add(new Object[] {s.start(), 1, s});
        }
        for (Wait w : waits) {
            merged.add(new Object[] {w.in(), 0, w}); // a wait before the slice it ends in
        }
        merged.sort(java.util.Comparator.<Object[]>comparingLong(o -> (Long) o[0]).thenComparingInt(o -> (Integer) o[1]));
        long[] hist = new long[Log2Slots.COUNT];
        for (Object[] o : merged) {
            if (o[2] instanceof Slice s) {
                t.slice(s.cpu(), s.start(), s.end(), s.tid(), s.tgid(), s.comm(), s.watched());
                String key = String.format("%08d/%08d/%03d", s.tgid(), s.tid(), s.cpu());
                long[] r = rows.computeIfAbsent(key, k -> new long[3]);
                r[0]++;
                r[1] += s.end() - s.start();
                names.put(key, s.comm());
                watched.put(s.tid(), s.watched());
                tgidOf.put(s.tid(), s.tgid());
            } else if (o[2] instanceof Wait w) {
                t.waitMark(w.cpu(), w.tid(), w.woke(), w.in());
            }
        }
        for (Wait w : waits) {
            int g = tgidOf.getOrDefault(w.tid(), w.tid());
            String key = String.format("%08d/%08d/%03d", g, w.tid(), w.cpu());
            long[] r = rows.get(key);
            if (r != null) {
                r[2] += w.in() - w.woke();
            }
            if (watched.getOrDefault(w.tid(), false)) {
                hist[Log2Slots.ofNs(w.in() - w.woke())]++;
            }
        }
        List<List<Object>> table = new ArrayList<>();
        rows.forEach((key, r) -> {
            String[] k = key.split("/");
            table.add(List.of(names.get(key), Integer.parseInt(k[0]), Integer.parseInt(k[1]), Integer.parseInt(k[2]),
                    r[0], r[1] / 1e6, r[2] / 1e6));
        });
        t.table(new TaskTable(List.of("process", "pid", "tid", "cpu", "runs", "on-CPU ms", "wait ms"), table));
        t.waitHistogram(new WaitHistogram("Wait histogram, the workload's processes", hist));
        return t;
    }

    private static String text(String file) {
        return new String(bytes(file), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String file) {
        try (InputStream in = FixtureTimeline.class.getResourceAsStream(PATH + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + PATH + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
