package org.proctap.tracedat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reads trace-cmd's own files of this kernel (fixtures/linux-6.18/tracedat: written by
 * trace-cmd 3.1.6 extract and convert) and checks them against what trace-cmd itself says about
 * them: {@code trace-cmd dump} for the metadata, {@code trace-cmd report} for every event.
 */
class TraceDatReaderTest {

    @ParameterizedTest
    @ValueSource(strings = {"sched-v6.dat", "sched-v7.dat"})
    void metadataIsWhatTraceCmdDumpShows(String name) {
        try (TraceDatReader r = Fixtures.open(Fixtures.file(name))) {
            TraceDat f = r.file();
            TraceDatHeader h = f.header();
            // trace-cmd dump --summary: version, little endian, 8-byte long, 4096-byte pages,
            // 205-byte header_page and header_event, 18 ftrace formats, 1 system, 0 bytes of
            // kallsyms, 4316 bytes of printk formats, 1515 bytes of command lines, clock [mono].
            assertThat(f.version()).isEqualTo(name.contains("v6") ? 6 : 7);
            assertThat(h.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            assertThat(h.longSize()).isEqualTo(8);
            assertThat(h.pageSize()).isEqualTo(4096);
            assertThat(h.headerPage()).hasSize(205).contains("field: local_t commit;\toffset:8;\tsize:8;\tsigned:1;");
            assertThat(h.headerEvent()).hasSize(205).contains("type_len    :    5 bits");
            assertThat(h.ftraceFormats()).hasSize(18);
            assertThat(h.eventFormats()).containsOnlyKeys("sched");
            assertThat(h.eventFormats().get("sched")).anyMatch(t -> t.startsWith("name: sched_switch\n"));
            assertThat(f.printk()).hasSize(4316).contains(": \"thaw_processes\"");
            assertThat(h.traceClock()).isEqualTo("mono");
            assertThat(f.comms()).containsEntry(7264, "seq").containsEntry(7300, "cat").hasSize(115); // trace-cmd dump --cmd-lines: 115 lines
            assertThat(f.problems()).isEmpty();
            // trace-cmd dump --flyrecord (the same pages in both files, at other offsets)
            assertThat(f.cpus()).extracting(CpuData::cpu, CpuData::size)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 0x5000L),
                            org.assertj.core.groups.Tuple.tuple(1, 0x3000L));
            if (f.version() == 6) {
                assertThat(f.cpus()).extracting(CpuData::offset).containsExactly(0x9000L, 0xe000L);
            }
            assertThat(f.option(TraceDatOption.UNAME).orElseThrow().textValue()).startsWith("Linux ").contains("6.18.");
            assertThat(f.option(TraceDatOption.VERSION).orElseThrow().textValue()).startsWith("3.1.6");
            assertThat(f.options()).filteredOn(o -> o.id() == TraceDatOption.CPUSTAT).hasSize(2);
            assertThat(f.proctapSection()).isEmpty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void versionsSixAndSevenHoldTheSameMetadataAndPages() throws Exception {
        try (TraceDatReader v6 = Fixtures.open(Fixtures.file("sched-v6.dat"));
             TraceDatReader v7 = Fixtures.open(Fixtures.file("sched-v7.dat"))) {
            assertThat(v7.header()).isEqualTo(v6.header());
            assertThat(v7.file().comms()).isEqualTo(v6.file().comms());
            assertThat(v7.file().printk()).isEqualTo(v6.file().printk());
            assertThat(pages(v7)).isEqualTo(pages(v6));
        }
    }

    /** Every event proctap decodes from trace-cmd's file equals trace-cmd report's line, one by one. */
    @ParameterizedTest
    @ValueSource(strings = {"sched-v6.dat", "sched-v7.dat"})
    void everyEventEqualsTraceCmdReportsLine(String name) throws Exception {
        List<TraceCmdReport.Line> report = TraceCmdReport.parse(Fixtures.lines(name + ".report"));
        try (TraceDatReader r = Fixtures.open(Fixtures.file(name))) {
            Decoding.Result decoded = Decoding.decode(r);
            assertThat(decoded.events()).hasSize(report.size());
            for (int i = 0; i < report.size(); i++) {
                assertThat(decoded.events().get(i)).as("event %d", i).isEqualTo(report.get(i).event());
                // trace-cmd prints the comm of the file's comm table (tep_data_comm_from_pid).
                int pid = report.get(i).event().pid();
                String expected = pid == 0 ? "<idle>" : r.file().comms().getOrDefault(pid, "<...>");
                assertThat(report.get(i).comm()).as("comm of event %d", i).isEqualTo(expected);
            }
            assertThat(report).hasSizeGreaterThan(500);
            assertThat(report).extracting(l -> l.event().event()).contains("sched_switch", "sched_wakeup",
                    "sched_process_fork", "sched_process_exec", "sched_process_exit");
            assertThat(report).extracting(l -> l.event().cpu()).contains(0, 1);
            assertThat(decoded.pages()).isEqualTo(8);
        }
    }

    @Test
    void aCompressedFileIsRefusedWithTheFix() {
        assertThatThrownBy(() -> Fixtures.open(Fixtures.file("sched-v7-zstd.dat")))
                .isExactlyInstanceOf(TraceDatException.class)
                .hasMessage("trace.dat compressed with zstd 1.5.4: not supported "
                        + "(uncompress it with `trace-cmd convert --compression none`)");
    }

    @Test
    void anotherKindOfFileOrVersionIsNamed() {
        byte[] elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThatThrownBy(() -> Fixtures.open(elf)).isExactlyInstanceOf(TraceDatException.class)
                .hasMessage("not a trace.dat file (magic 7f 45 4c 46, expected 17 08 44 \"tracing\")");
        byte[] v9 = Fixtures.file("sched-v6.dat");
        v9[10] = '9';
        assertThatThrownBy(() -> Fixtures.open(v9)).hasMessage("trace.dat version 9 not supported (6 and 7 are)");
        assertThatThrownBy(() -> Fixtures.open(new byte[3]))
                .hasMessage("not a trace.dat file (3 bytes, shorter than the magic)");
    }

    @Test
    void truncatedCpuDataIsNamedOrCutInPartialMode() throws Exception {
        byte[] whole = Fixtures.file("sched-v6.dat");
        // CPU 1 is 0x3000 bytes at 0xe000: cut the file 4096 + 100 bytes before its end.
        byte[] cut = Arrays.copyOf(whole, 0x11000 - 4096 - 100);
        assertThatThrownBy(() -> Fixtures.open(cut)).isExactlyInstanceOf(TraceDatException.class)
                .hasMessage("CPU 1 data ends at offset 0xff9c, 4196 bytes short");
        try (TraceDatReader r = TraceDatReader.open(Fixtures.channel(cut), TraceDatReader.Mode.PARTIAL)) {
            assertThat(r.file().problems()).containsExactly(
                    "CPU 1 data ends at offset 0xff9c, 4196 bytes short",
                    "CPU 1 data at offset 0xe000 is 8092 bytes, not a whole number of 4096-byte pages (3996 bytes left over)");
            assertThat(r.subBufferCount(0)).isEqualTo(5);
            assertThat(r.subBufferCount(1)).isEqualTo(1);
            List<ByteBuffer> partial = pages(r);
            try (TraceDatReader all = Fixtures.open(whole)) {
                List<ByteBuffer> full = pages(all);
                assertThat(partial).isEqualTo(full.subList(0, 6));
            }
        }
        // Cut inside the metadata: nothing can be decoded, partial mode fails too.
        byte[] head = Arrays.copyOf(whole, 0x500);
        assertThatThrownBy(() -> TraceDatReader.open(Fixtures.channel(head), TraceDatReader.Mode.PARTIAL))
                .isExactlyInstanceOf(TraceDatException.class)
                .hasMessageMatching("ftrace format \\d+ at offset 0x[0-9a-f]+ needs \\d+ bytes, the file ends \\d+ bytes later");
    }

    /** Hand-made damage of the v7 file's first options section (offset at byte 0x18 of the file). */
    @Test
    void aLoopingOrCompressedOptionsSectionIsNamed() {
        byte[] v7 = Fixtures.file("sched-v7.dat");
        ByteBuffer b = ByteBuffer.wrap(v7).order(ByteOrder.LITTLE_ENDIAN);
        int section = (int) b.getLong(0x18);
        // Section header: u16 id 0, u16 flags, u32 description, u64 size; the DONE option's
        // 8-byte "next options section" offset is the last 8 bytes of the section.
        int end = section + 16 + (int) b.getLong(section + 8);
        byte[] loop = v7.clone();
        ByteBuffer.wrap(loop).order(ByteOrder.LITTLE_ENDIAN).putLong(end - 8, section);
        assertThatThrownBy(() -> Fixtures.open(loop)).isExactlyInstanceOf(TraceDatException.class)
                .hasMessage("options sections loop back to offset 0x" + Integer.toHexString(section));
        byte[] compressed = v7.clone();
        compressed[section + 2] = 1;
        assertThatThrownBy(() -> Fixtures.open(compressed)).isExactlyInstanceOf(TraceDatException.class)
                .hasMessage("options section at offset 0x" + Integer.toHexString(section) + " is compressed: not supported");
    }

    static List<ByteBuffer> pages(TraceDatReader r) {
        List<ByteBuffer> all = new ArrayList<>();
        for (int i = 0; i < r.cpuCount(); i++) {
            for (Iterator<ByteBuffer> it = r.subBuffers(i); it.hasNext(); ) {
                all.add(it.next());
            }
        }
        return all;
    }
}
