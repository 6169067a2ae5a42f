package org.proctap.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The compact arrays a page embeds, read back by timeline.js's rules (EmbeddedTimeline): every
 * slice and wait as given, to the nanosecond, whatever the gaps (zero, past 2^32 ns, past 2^40).
 */
class TimelineEncodingTest {
    private static final long BASE = 9_876_543_210_987L;

    record In(int cpu, long a, long b, Task task) {
    }

    @Test
    void everySliceAndWaitRoundTripsExactly() throws IOException {
        Random r = new Random(7);
        int cpus = 4;
        Timeline t = new Timeline(cpus);
        List<List<In>> slices = new ArrayList<>();
        List<List<In>> waits = new ArrayList<>();
        Task[] tasks = new Task[300];
        for (int i = 0; i < tasks.length; i++) {
            tasks[i] = new Task(100 + i / 2, 100 + i / 6, i % 2 == 0 ? "worker-" + i / 2 : "renamed-" + i / 2, i % 5 != 0);
        }
        for (int cpu = 0; cpu < cpus; cpu++) {
            List<In> s = new ArrayList<>();
            List<In> w = new ArrayList<>();
            long now = BASE + r.nextInt(1_000_000);
            for (int i = 0; i < 20_000; i++) {
                long gap = switch (r.nextInt(10)) {
                    case 0 -> 0;
                    case 1 -> (1L << 32) + r.nextInt(1000); // past a 32-bit delta
                    case 2 -> 1L << 40;
                    default -> r.nextInt(100_000);
                };
                long len = r.nextInt(20) == 0 ? 0 : 1 + (long) Math.exp(r.nextDouble() * 20);
                Task task = tasks[r.nextInt(tasks.length)];
                long start = now + gap;
                if (r.nextBoolean()) {
                    long wait = r.nextInt(3) == 0 ? 0 : r.nextInt(5_000_000);
                    t.waitMark(cpu, task.tid(), start - wait, start);
                    w.add(new In(cpu, start - wait, start, task));
                }
                t.slice(cpu, start, start + len, task.tid(), task.tgid(), task.comm(), task.watched());
                s.add(new In(cpu, start, start + len, task));
                now = start + len;
            }
            slices.add(s);
            waits.add(w);
        }
        EmbeddedTimeline e = EmbeddedTimeline.parse(page(t));
        assertThat(e.header().get("format").asInt()).isEqualTo(TimelineWriter.FORMAT);
        assertThat(e.header().get("cpus").asInt()).isEqualTo(cpus);
        long origin = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (int cpu = 0; cpu < cpus; cpu++) {
            for (In x : slices.get(cpu)) {
                origin = Math.min(origin, x.a());
                end = Math.max(end, x.b());
            }
            for (In x : waits.get(cpu)) {
                origin = Math.min(origin, x.a());
            }
        }
        assertThat(e.origin()).isEqualTo(origin);
        assertThat(e.header().get("spanNs").asLong()).isEqualTo(end - origin);
        for (int cpu = 0; cpu < cpus; cpu++) {
            List<long[]> got = e.slices().get(cpu);
            assertThat(got).hasSameSizeAs(slices.get(cpu));
            for (int i = 0; i < got.size(); i++) {
                In want = slices.get(cpu).get(i);
                assertThat(got.get(i)[0]).as("cpu %d slice %d start", cpu, i).isEqualTo(want.a());
                assertThat(got.get(i)[1]).as("cpu %d slice %d end", cpu, i).isEqualTo(want.b());
                assertThat(e.task(got.get(i)[2])).as("cpu %d slice %d task", cpu, i).isEqualTo(want.task());
            }
            List<long[]> gotWaits = e.waits().get(cpu);
            assertThat(gotWaits).hasSameSizeAs(waits.get(cpu));
            for (int i = 0; i < gotWaits.size(); i++) {
                In want = waits.get(cpu).get(i);
                assertThat(gotWaits.get(i)).as("cpu %d wait %d", cpu, i).containsExactly(want.a(), want.b(), want.task().tid());
            }
        }
        assertThat(e.header().get("tasks").get("tid").size()).as("one entry per distinct task").isLessThanOrEqualTo(tasks.length);
    }

    @Test
    void varintsRoundTripAcrossChunks() throws IOException {
        VarintBuffer b = new VarintBuffer();
        long[] values = {0, 1, 127, 128, 16_383, 16_384, (1L << 32) - 1, 1L << 32, 1L << 53, Long.MAX_VALUE};
        Random r = new Random(3);
        List<Long> all = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) { // well past the first 64 KiB chunk
            long v = i < values.length ? values[i] : r.nextLong() >>> (1 + r.nextInt(63));
            b.put(v);
            all.add(v);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        b.writeTo(out);
        byte[] bytes = out.toByteArray();
        assertThat(b.size()).isEqualTo(bytes.length).isGreaterThan(1 << 16);
        int[] at = {0};
        for (long v : all) {
            assertThat(EmbeddedTimeline.varint(bytes, at)).isEqualTo(v);
        }
        assertThat(at[0]).isEqualTo(bytes.length);
        assertThat(bytes[0]).isZero();
        assertThat(new byte[] {bytes[3], bytes[4]}).as("128 = 0x80 0x01").containsExactly((byte) 0x80, (byte) 0x01);
        assertThatThrownBy(() -> b.put(-1)).hasMessage("negative varint -1");
    }

    @Test
    void aPipeStormSliceTakesAFewBytes() {
        Timeline t = new Timeline(1);
        long now = BASE;
        for (int i = 0; i < 10_000; i++) {
            t.waitMark(0, 4000 + (i & 1), now + 5_000, now + 7_000);
            t.slice(0, now + 7_000, now + 13_000, 4000 + (i & 1), 4000, "sched-pipe", true);
            now += 13_000;
        }
        // slice: gap 7 us 2 + length 6 us 2 + task 1 bytes; wait: step 13 us 2 + length 2 us 2 + tid 2 bytes;
        // the first slice and wait: a gap and a step of 0, 1 byte each
        assertThat(t.dataBytes()).isEqualTo(10_000L * (5 + 6) - 2);
    }

    static String page(Timeline t) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TimelineWriter.write(t, out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
