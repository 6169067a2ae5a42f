package org.proctap.tracedat;

import static org.proctap.tracedat.TraceDatException.hex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads everything of a trace.dat file but the pages: the initial format, then for version 6 the
 * fixed sequence of Documentation/trace-cmd/trace-cmd.dat.v6.5.txt, for version 7 the options
 * sections and the sections they point to (trace-cmd.dat.v7.5.txt), the way
 * lib/trace-cmd/trace-input.c (read_headers_v6, read_headers_v7, handle_options) does.
 */
final class MetadataParser {
    static final byte[] MAGIC = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g'};
    /** Bounds for texts held in memory: formats are a few KB, cmdlines and options well below this. */
    private static final long MAX_TEXT = 64L << 20;
    private static final int MAX_NAME = 4096;

    /** v7 section ids (enum tracecmd_option_id). */
    private static final int SECTION_OPTIONS = 0;
    private static final int SECTION_HEADER_INFO = 16;
    private static final int SECTION_FTRACE_EVENTS = 17;
    private static final int SECTION_EVENT_FORMATS = 18;
    private static final int SECTION_KALLSYMS = 19;
    private static final int SECTION_PRINTK = 20;
    private static final int SECTION_CMDLINES = 21;
    private static final int OPTION_BUFFER_TEXT = 22;
    /** TRACECMD_SEC_FL_COMPRESS. */
    private static final int SECTION_COMPRESSED = 1;

    private final ChannelInput in;
    private final boolean partial;
    private final List<String> problems = new ArrayList<>();

    private int version;
    private ByteOrder order;
    private int longSize;
    private int pageSize;
    private String headerPage;
    private String headerEvent;
    private List<String> ftrace = List.of();
    private Map<String, List<String>> events = new LinkedHashMap<>();
    private String printk = "";
    private TreeMap<Integer, String> comms = new TreeMap<>();
    private final List<TraceDatOption> options = new ArrayList<>();
    private List<CpuData> cpus = new ArrayList<>();
    private String clock;

    private MetadataParser(ChannelInput in, boolean partial) {
        this.in = in;
        this.partial = partial;
    }

    static TraceDat parse(ChannelInput in, boolean partial) {
        MetadataParser p = new MetadataParser(in, partial);
        p.initial();
        if (p.version == 6) {
            p.v6();
        } else {
            p.v7();
        }
        p.checkCpuData();
        TraceDatHeader header;
        try {
            header = new TraceDatHeader(p.order, p.longSize, p.pageSize, p.headerPage, p.headerEvent, p.ftrace,
                    p.events, p.clock == null ? "local" : p.clock);
        } catch (IllegalArgumentException e) {
            throw new TraceDatException("file header: " + e.getMessage(), e);
        }
        return new TraceDat(p.version, header, p.printk, p.comms, p.options, p.cpus, p.problems);
    }

    private void initial() {
        if (in.size() < MAGIC.length) {
            throw new TraceDatException("not a trace.dat file (" + in.size() + " bytes, shorter than the magic)");
        }
        byte[] magic = in.bytes(MAGIC.length, "magic");
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                s.append(i > 0 ? " " : "").append(String.format("%02x", magic[i] & 0xff));
            }
            throw new TraceDatException("not a trace.dat file (magic " + s + ", expected 17 08 44 \"tracing\")");
        }
        String v = in.cstring(16, "version string");
        if (!v.equals("6") && !v.equals("7")) {
            throw new TraceDatException("trace.dat version " + ChannelInput.printable(v.getBytes(StandardCharsets.UTF_8))
                    + " not supported (6 and 7 are)");
        }
        version = Integer.parseInt(v);
        int endian = in.u8("endianness flag");
        if (endian > 1) {
            throw new TraceDatException("endianness flag " + endian + " at offset " + hex(in.position() - 1)
                    + " is neither 0 (little) nor 1 (big)");
        }
        order = endian == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        in.order(order);
        longSize = in.u8("long size");
        if (longSize != 4 && longSize != 8) {
            throw new TraceDatException("long size " + longSize + " at offset " + hex(in.position() - 1) + ", expected 4 or 8");
        }
        long page = in.u32("page size");
        if (page < TraceDatHeader.MIN_PAGE || page > TraceDatHeader.MAX_PAGE) {
            throw new TraceDatException("page size " + page + " at offset " + hex(in.position() - 4) + " outside "
                    + TraceDatHeader.MIN_PAGE + ".." + TraceDatHeader.MAX_PAGE);
        }
        pageSize = (int) page;
    }

    // ---- version 6: one fixed sequence ----

    private void v6() {
        headerInfo();
        ftraceFormats();
        eventFormats();
        in.skip(in.u32("kallsyms size"), "kallsyms");
        printk = in.text(in.u32("printk formats size"), MAX_TEXT, "printk formats");
        cmdlines();
        long count = in.u32("CPU count");
        // Each CPU takes 16 bytes of the flyrecord table: a count the file cannot hold is corrupt.
        if (count > in.remaining() / 16) {
            throw new TraceDatException("CPU count " + count + " at offset " + hex(in.position() - 4)
                    + " does not fit in the rest of the file");
        }
        long at = in.position();
        byte[] kind = in.bytes(10, "options/latency/flyrecord tag");
        if (new String(kind, StandardCharsets.ISO_8859_1).startsWith("options")) {
            v6Options();
            at = in.position();
            kind = in.bytes(10, "latency/flyrecord tag");
        }
        String tag = new String(kind, StandardCharsets.ISO_8859_1);
        if (tag.startsWith("latency")) {
            throw new TraceDatException("a latency trace (text) at offset " + hex(at) + ", not ring-buffer pages");
        }
        if (!tag.startsWith("flyrecord")) {
            throw new TraceDatException("expected \"flyrecord\" at offset " + hex(at) + ", found \""
                    + ChannelInput.printable(kind) + "\"");
        }
        for (int cpu = 0; cpu < count; cpu++) {
            long offset = in.u64("CPU " + cpu + " data offset");
            long size = in.u64("CPU " + cpu + " data size");
            cpus.add(new CpuData(cpu, offset, size));
        }
        // TRACECMD_OPTION_TRACECLOCK makes trace-cmd read the trace_clock text stored after the
        // table (init_data_v6); without it the clock is "local".
        java.util.Optional<TraceDatOption> clockOption = options.stream()
                .filter(o -> o.id() == TraceDatOption.TRACECLOCK).findFirst();
        if (clockOption.isPresent()) {
            clock = selectedClock(clockOption.get().textValue());
            try {
                String text = in.text(in.u64("trace_clock size"), MAX_TEXT, "trace_clock");
                String stored = selectedClock(text);
                if (stored != null) {
                    clock = stored;
                }
            } catch (TraceDatException e) {
                if (!partial) {
                    throw e;
                }
                problems.add(e.getMessage());
            }
        }
    }

    private void v6Options() {
        while (true) {
            long at = in.position();
            int id = in.u16("option id");
            if (id == 0) {
                return;
            }
            options.add(new TraceDatOption(id, optionData(id, at)));
        }
    }

    private byte[] optionData(int id, long at) {
        long size = in.u32("option " + id + " size");
        if (size > MAX_TEXT) {
            throw new TraceDatException("option " + id + " at offset " + hex(at) + " claims " + size
                    + " bytes, more than the " + MAX_TEXT + " allowed");
        }
        return in.bytes(size, "option " + id + " data");
    }

    // ---- version 7: options sections pointing at sections ----

    private void v7() {
        String compression = in.cstring(MAX_NAME, "compression name");
        String compressionVersion = in.cstring(MAX_NAME, "compression version");
        if (!compression.equals("none")) {
            throw new TraceDatException("trace.dat compressed with " + compression + " " + compressionVersion
                    + ": not supported (uncompress it with `trace-cmd convert --compression none`)");
        }
        long next = in.u64("first options section offset");
        Set<Long> seen = new HashSet<>();
        Map<Integer, Long> sections = new LinkedHashMap<>();
        List<TraceDatOption> buffers = new ArrayList<>();
        while (next != 0) {
            // Each options section has a 16-byte header: a chain longer than the file can hold loops.
            if (!seen.add(next) || seen.size() > in.size() / 16) {
                throw new TraceDatException("options sections loop back to offset " + hex(next));
            }
            in.seek(next, "options section");
            long at = in.position();
            long size = sectionHeader(SECTION_OPTIONS, "options section");
            long end = in.position() + size;
            next = 0;
            while (true) {
                long optionAt = in.position();
                if (optionAt >= end) {
                    throw new TraceDatException("options section at offset " + hex(at) + " has no DONE option in its "
                            + size + " bytes");
                }
                int id = in.u16("option id");
                byte[] data = optionData(id, optionAt);
                if (id == 0) {
                    if (data.length < 8) {
                        throw new TraceDatException("DONE option at offset " + hex(optionAt) + " has " + data.length
                                + " bytes, expected 8");
                    }
                    next = ByteBuffer.wrap(data).order(order).getLong();
                    break;
                }
                TraceDatOption option = new TraceDatOption(id, data);
                options.add(option);
                if (id >= SECTION_HEADER_INFO && id <= SECTION_CMDLINES && data.length >= 8) {
                    sections.putIfAbsent(id, ByteBuffer.wrap(data).order(order).getLong());
                } else if (id == TraceDatOption.BUFFER) {
                    buffers.add(option);
                } else if (id == OPTION_BUFFER_TEXT && buffers.isEmpty()) {
                    throw new TraceDatException("a latency trace (BUFFER_TEXT option at offset " + hex(optionAt)
                            + "), not ring-buffer pages");
                }
            }
        }
        section(sections, SECTION_HEADER_INFO, "header info", true);
        headerInfo();
        if (section(sections, SECTION_FTRACE_EVENTS, "ftrace event formats", false)) {
            ftraceFormats();
        }
        if (section(sections, SECTION_EVENT_FORMATS, "event formats", false)) {
            eventFormats();
        }
        if (section(sections, SECTION_PRINTK, "printk formats", false)) {
            printk = in.text(in.u32("printk formats size"), MAX_TEXT, "printk formats");
        }
        if (section(sections, SECTION_CMDLINES, "saved command lines", false)) {
            cmdlines();
        }
        if (buffers.isEmpty()) {
            throw new TraceDatException("no BUFFER option: the file holds no ring-buffer data");
        }
        buffer(buffers.stream().filter(b -> topLevel(b.data())).findFirst().orElse(buffers.getFirst()));
    }

    private static boolean topLevel(byte[] bufferOption) {
        return bufferOption.length > 8 && bufferOption[8] == 0;
    }

    /** Seeks to a section and reads its header; false when the file has no such section and it is optional. */
    private boolean section(Map<Integer, Long> sections, int id, String what, boolean required) {
        Long offset = sections.get(id);
        if (offset == null) {
            if (required) {
                throw new TraceDatException("no " + what + " section (option " + id + ")");
            }
            return false;
        }
        in.seek(offset, what + " section");
        sectionHeader(id, what + " section");
        return true;
    }

    /** Reads a v7 section header (id, flags, string id, size) and returns the size. */
    private long sectionHeader(int expectedId, String what) {
        long at = in.position();
        int id = in.u16(what + " id");
        int flags = in.u16(what + " flags");
        in.u32(what + " description");
        long size = in.u64(what + " size");
        if (expectedId >= 0 && id != expectedId) {
            throw new TraceDatException(what + " at offset " + hex(at) + " has id " + id + ", expected " + expectedId);
        }
        if ((flags & SECTION_COMPRESSED) != 0) {
            throw new TraceDatException(what + " at offset " + hex(at) + " is compressed: not supported");
        }
        in.need(size, what);
        return size;
    }

    /** A v7 BUFFER option: offset of its flyrecord section, name, clock, page size, CPUs. */
    private void buffer(TraceDatOption option) {
        ByteBuffer b = ByteBuffer.wrap(option.data()).order(order);
        String where = "BUFFER option";
        try {
            long section = b.getLong();
            String name = cstring(b);
            clock = cstring(b);
            long page = Integer.toUnsignedLong(b.getInt());
            // The buffer's own sub-buffer size wins over the file header's page size: trace-cmd
            // steps through a buffer's CPU data by it (input_buffer_instance.page_size).
            if (page < TraceDatHeader.MIN_PAGE || page > TraceDatHeader.MAX_PAGE) {
                throw new TraceDatException(where + " of buffer \"" + name + "\" says page size " + page
                        + ", outside " + TraceDatHeader.MIN_PAGE + ".." + TraceDatHeader.MAX_PAGE);
            }
            pageSize = (int) page;
            long count = Integer.toUnsignedLong(b.getInt());
            if (count > b.remaining() / 20) {
                throw new TraceDatException(where + " of buffer \"" + name + "\" claims " + count + " CPUs in "
                        + b.remaining() + " bytes");
            }
            for (int i = 0; i < count; i++) {
                int cpu = b.getInt();
                cpus.add(new CpuData(cpu, b.getLong(), b.getLong()));
            }
            in.seek(section, "flyrecord section of buffer \"" + name + "\"");
            sectionHeader(-1, "flyrecord section"); // trace-cmd does not check its id
        } catch (java.nio.BufferUnderflowException e) {
            throw new TraceDatException(where + " of " + option.size() + " bytes ends early");
        }
    }

    private static String cstring(ByteBuffer b) {
        int start = b.position();
        while (b.get() != 0) {
            // scan to the NUL; BufferUnderflowException when there is none
        }
        return new String(b.array(), start, b.position() - 1 - start, StandardCharsets.UTF_8);
    }

    // ---- pieces both versions share ----

    private void headerInfo() {
        in.expect("header_page\0".getBytes(StandardCharsets.ISO_8859_1), "\"header_page\"");
        headerPage = in.text(in.u64("header_page size"), MAX_TEXT, "header_page");
        in.expect("header_event\0".getBytes(StandardCharsets.ISO_8859_1), "\"header_event\"");
        headerEvent = in.text(in.u64("header_event size"), MAX_TEXT, "header_event");
    }

    private void ftraceFormats() {
        long count = in.u32("ftrace format count");
        List<String> list = new ArrayList<>();
        for (long i = 0; i < count; i++) { // each costs at least 8 bytes: ends with the file
            list.add(in.text(in.u64("ftrace format " + i + " size"), MAX_TEXT, "ftrace format " + i));
        }
        ftrace = list;
    }

    private void eventFormats() {
        long systems = in.u32("event system count");
        for (long s = 0; s < systems; s++) {
            String system = in.cstring(MAX_NAME, "event system name");
            long count = in.u32("event count of system " + system);
            List<String> list = events.computeIfAbsent(system, k -> new ArrayList<>());
            for (long i = 0; i < count; i++) {
                list.add(in.text(in.u64("format size"), MAX_TEXT, "format " + i + " of system " + system));
            }
        }
    }

    private void cmdlines() {
        long at = in.position();
        String text = in.text(in.u64("saved command lines size"), MAX_TEXT, "saved command lines");
        // saved_cmdlines lines are "PID COMM" (kernel/trace/trace_sched_switch.c, saved_cmdlines_show).
        int line = 0;
        for (String l : text.split("\n")) {
            line++;
            if (l.isEmpty()) {
                continue;
            }
            int space = l.indexOf(' ');
            try {
                comms.put(Integer.parseInt(l.substring(0, Math.max(space, 0))), l.substring(space + 1));
            } catch (NumberFormatException e) {
                String problem = "saved command lines at offset " + hex(at) + ", line " + line + ": \""
                        + ChannelInput.printable(l.getBytes(StandardCharsets.UTF_8)) + "\" is not \"PID COMM\"";
                if (!partial) {
                    throw new TraceDatException(problem);
                }
                problems.add(problem);
            }
        }
    }

    /** The clock in brackets in a trace_clock text, or null. */
    private static String selectedClock(String text) {
        int open = text.indexOf('[');
        int close = text.indexOf(']', open + 1);
        return open >= 0 && close > open + 1 ? text.substring(open + 1, close) : null;
    }

    /** Checks the CPU data against the file: whole pages, inside the file; partial mode cuts instead. */
    private void checkCpuData() {
        List<CpuData> checked = new ArrayList<>();
        for (CpuData c : cpus) {
            long offset = c.offset();
            long size = c.size();
            if (size == 0) {
                checked.add(c);
                continue;
            }
            if (offset < 0 || size < 0 || offset > in.size()) {
                fail("CPU " + c.cpu() + " data at offset " + hex(offset) + " (" + Long.toUnsignedString(size)
                        + " bytes) lies outside the " + in.size() + "-byte file");
                checked.add(new CpuData(c.cpu(), Math.max(0, Math.min(offset, in.size())), 0));
                continue;
            }
            long end = offset + size;
            if (end < 0 || end > in.size()) {
                long kept = in.size() - offset;
                fail("CPU " + c.cpu() + " data ends at offset " + hex(in.size()) + ", "
                        + Long.toUnsignedString(size - kept) + " bytes short");
                size = kept;
            }
            if (size % pageSize != 0) {
                fail("CPU " + c.cpu() + " data at offset " + hex(offset) + " is " + size + " bytes, not a whole number of "
                        + pageSize + "-byte pages (" + size % pageSize + " bytes left over)");
                size -= size % pageSize;
            }
            checked.add(new CpuData(c.cpu(), offset, size));
        }
        // Ranges of different CPUs never share a page in trace-cmd's files or ours: an overlap is a
        // corrupt offset, and reading it would hand the same pages out twice.
        List<CpuData> byOffset = new ArrayList<>(checked);
        byOffset.removeIf(c -> c.size() == 0);
        byOffset.sort(java.util.Comparator.comparingLong(CpuData::offset));
        for (int i = 1; i < byOffset.size(); i++) {
            CpuData before = byOffset.get(i - 1);
            CpuData c = byOffset.get(i);
            if (c.offset() < before.end()) {
                fail("CPU " + c.cpu() + " data at offset " + hex(c.offset()) + " overlaps CPU " + before.cpu()
                        + "'s, which ends at " + hex(before.end()));
                checked.set(checked.indexOf(c), new CpuData(c.cpu(), c.offset(), 0));
                byOffset.set(i, before);
            }
        }
        cpus = checked;
    }

    private void fail(String problem) {
        if (!partial) {
            throw new TraceDatException(problem);
        }
        problems.add(problem);
    }
}
