package org.proctap.source.tracefs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.proctap.event.Event;
import org.proctap.event.ProcessExec;
import org.proctap.event.SyscallEnter;
import org.proctap.event.SyscallEnter.Syscall;

/**
 * Decodes real recordings of this project's kernel (scripts/record-tracefs-fixture) and compares
 * every event with the kernel's own text rendering of the same ring buffer: same count and order
 * per CPU, same timestamp (the text rounds to µs), common_pid, CPU, latency flags and every field
 * the text shows.
 */
class RecordedFixtureTest {

    /** One decoded record plus the common fields the Event model does not keep. */
    private record Decoded(Event event, int flags, int preemptCount) {
    }

    private static final Set<String> ALL_EVENTS = Set.of("sched_switch", "sched_stat_runtime", "sched_wakeup",
            "sched_wakeup_new",
            "sched_migrate_task", "local_timer_entry", "local_timer_exit", "task_newtask", "task_rename",
            "sched_process_fork", "sched_process_exec", "sched_process_exit", "sys_clone", "sys_clone3", "sys_fork",
            "sys_vfork", "sys_execve", "sys_execveat", "sys_exit", "sys_exit_group", "signal_generate",
            "signal_deliver");

    @ParameterizedTest
    @ValueSource(strings = {"fixtures/linux-6.18/process-lifecycle", "fixtures/linux-6.18/process-lifecycle-subbuf8k"})
    void everyRecordMatchesTheKernelsTextRendering(String path) {
        Fixture fixture = Fixture.load(path);
        PageLayout layout = PageLayout.parse(fixture.headerPage());
        PageDecoder pages = new PageDecoder(layout, EventHeader.parse(fixture.headerEvent()), fixture.byteOrder());
        EventDecoder events = EventDecoder.create(fixture.formats());
        assertThat(events.hasGroupDead()).isTrue();
        FormatField flagsField = fixture.formats().getFirst().field("common_flags");
        FormatField preemptField = fixture.formats().getFirst().field("common_preempt_count");

        Set<String> seen = new TreeSet<>();
        int total = 0;
        for (int cpu = 0; cpu < fixture.cpus(); cpu++) {
            List<Decoded> decoded = decodeCpu(fixture, cpu, pages, events, flagsField, preemptField);
            List<KernelText.Line> text = fixture.trace(cpu).stream()
                    .filter(l -> !l.startsWith("#") && !l.isBlank()).map(KernelText::parse).toList();
            assertThat(decoded).as("events on cpu%d", cpu).hasSize(text.size());
            for (int i = 0; i < text.size(); i++) {
                compare(decoded.get(i), text.get(i), cpu, i);
                seen.add(text.get(i).event());
            }
            total += text.size();
        }
        assertThat(seen).as("the fixture exercises every event proctap decodes").containsAll(ALL_EVENTS);
        assertThat(total).isGreaterThan(300);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixtures/linux-6.18/process-lifecycle", "fixtures/linux-6.18/process-lifecycle-subbuf8k"})
    void pagesAreWholeOrderedAndLossless(String path) {
        Fixture fixture = Fixture.load(path);
        PageLayout layout = PageLayout.parse(fixture.headerPage());
        // An instance's own header_page follows its buffer_subbuf_size_kb on this kernel.
        assertThat(layout.subBufferSize()).isEqualTo(fixture.subBufferBytes());
        PageDecoder pages = new PageDecoder(layout, fixture.byteOrder());
        for (int cpu = 0; cpu < fixture.cpus(); cpu++) {
            byte[] raw = fixture.raw(cpu);
            assertThat(raw.length % fixture.subBufferBytes()).isZero();
            long previous = Long.MIN_VALUE;
            for (int at = 0; at < raw.length; at += fixture.subBufferBytes()) {
                long[] last = {Long.MIN_VALUE};
                PageSummary s = pages.decode(ByteBuffer.wrap(raw, at, fixture.subBufferBytes()).slice(),
                        (ts, b, off, len) -> {
                            assertThat(ts).isGreaterThanOrEqualTo(last[0]);
                            last[0] = ts;
                        });
                assertThat(s.eventsLost()).isFalse();
                assertThat(s.lostCount()).isZero();
                assertThat(s.timestamp()).isGreaterThanOrEqualTo(previous);
                assertThat(s.dataLength()).isLessThanOrEqualTo(fixture.subBufferBytes() - layout.dataOffset());
                previous = last[0];
            }
        }
    }

    /** The long exec path in the workload makes sched_process_exec records use the type_len 0 form. */
    @ParameterizedTest
    @ValueSource(strings = {"fixtures/linux-6.18/process-lifecycle", "fixtures/linux-6.18/process-lifecycle-subbuf8k"})
    void fixtureHoldsLongRecordsAndTimeExtends(String path) {
        Fixture fixture = Fixture.load(path);
        PageLayout layout = PageLayout.parse(fixture.headerPage());
        Map<Integer, Integer> types = new TreeMap<>();
        for (int cpu = 0; cpu < fixture.cpus(); cpu++) {
            byte[] raw = fixture.raw(cpu);
            ByteBuffer b = ByteBuffer.wrap(raw).order(fixture.byteOrder());
            for (int page = 0; page < raw.length; page += fixture.subBufferBytes()) {
                int end = page + layout.dataOffset() + (int) (b.getLong(page + layout.commitOffset()) & 0x3fffffff);
                for (int at = page + layout.dataOffset(); at < end; ) {
                    int word = b.getInt(at);
                    int typeLen = word & 31;
                    if (typeLen == 29 && word >>> 5 == 0) {
                        break; // padding to the end of the page
                    }
                    types.merge(typeLen <= 28 && typeLen > 0 ? 1 : typeLen, 1, Integer::sum);
                    at += switch (typeLen) {
                        case 0, 29 -> 4 + b.getInt(at + 4);
                        case 30, 31 -> 8;
                        default -> 4 + 4 * typeLen;
                    };
                }
            }
        }
        assertThat(types).containsKeys(0, 1, 30);
        EventDecoder events = EventDecoder.create(fixture.formats());
        PageDecoder pages = new PageDecoder(layout, fixture.byteOrder());
        List<Event> all = decodeAll(fixture, pages, events);
        assertThat(all).filteredOn(e -> e instanceof ProcessExec x && x.filename().length() > 100).isNotEmpty();
        assertThat(all).filteredOn(e -> e instanceof SyscallEnter x && x.syscall() == Syscall.EXIT_GROUP)
                .extracting(e -> ((SyscallEnter) e).arg()).contains(-1L, 3L, 5L, 7L, 42L);
    }

    private static List<Event> decodeAll(Fixture fixture, PageDecoder pages, EventDecoder events) {
        List<Event> all = new ArrayList<>();
        for (int cpu = 0; cpu < fixture.cpus(); cpu++) {
            byte[] raw = fixture.raw(cpu);
            int c = cpu;
            for (int at = 0; at < raw.length; at += fixture.subBufferBytes()) {
                pages.decode(ByteBuffer.wrap(raw, at, fixture.subBufferBytes()),
                        (ts, b, off, len) -> all.add(events.decode(ts, c, b, off, len)));
            }
        }
        return all;
    }

    private static List<Decoded> decodeCpu(Fixture fixture, int cpu, PageDecoder pages, EventDecoder events,
                                           FormatField flagsField, FormatField preemptField) {
        byte[] raw = fixture.raw(cpu);
        List<Decoded> out = new ArrayList<>();
        // Sub-buffers are decoded in place, at their offset in the whole file, as a reader that
        // maps or batches pages would.
        ByteBuffer all = ByteBuffer.wrap(raw);
        for (int at = 0; at < raw.length; at += fixture.subBufferBytes()) {
            ByteBuffer page = all.duplicate().position(at).limit(at + fixture.subBufferBytes());
            pages.decode(page, (ts, b, off, len) -> {
                Event e = events.decode(ts, cpu, b, off, len);
                assertThat(e).as("record at %d of cpu%d decodes to a modelled event", off, cpu).isNotNull();
                out.add(new Decoded(e, b.get(off + flagsField.offset()) & 0xff, b.get(off + preemptField.offset()) & 0xff));
            });
            assertThat(page.position()).isEqualTo(at);
        }
        return out;
    }

    private static void compare(Decoded d, KernelText.Line line, int cpu, int index) {
        Event e = d.event();
        String where = "cpu" + cpu + " event #" + index + " (" + line + ")";
        assertThat(KernelText.eventName(e)).as(where).isEqualTo(line.event());
        assertThat(e.cpu()).as(where).isEqualTo(cpu).isEqualTo(line.cpu());
        assertThat(e.tid()).as(where).isEqualTo(line.pid());
        // trace_print_time prints ns2usecs(ts), which rounds to the nearest µs.
        assertThat((e.ts() + 500) / 1000).as(where).isEqualTo(line.micros());
        String columns = KernelText.latencyColumns(d.flags(), d.preemptCount());
        assertThat(line.flags().charAt(0)).as(where + " irqs-off").isEqualTo(columns.charAt(0));
        assertThat(line.flags().substring(2)).as(where + " irq/preempt columns").isEqualTo(columns.substring(2));
        if (e instanceof SyscallEnter s) {
            Map<String, Long> args = KernelText.syscallArgs(line.body());
            switch (s.syscall()) {
                case CLONE -> assertThat(s.arg()).as(where).isEqualTo(args.get("clone_flags"));
                case EXIT, EXIT_GROUP -> assertThat(s.arg()).as(where).isEqualTo((long) (int) (long) args.get("error_code"));
                default -> assertThat(s.arg()).as(where).isZero();
            }
        } else {
            assertThat(KernelText.render(e)).as(where).isEqualTo(line.body());
        }
    }
}
