package org.proctap.tracedat;

import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Everything {@link TraceDatReader} found in a file apart from the pages themselves.
 *
 * @param version     the file version, 6 or 7
 * @param header      byte order, sizes, header texts, formats and clock
 * @param printk      the text of printk_formats as stored (often empty)
 * @param comms       the comm table (saved_cmdlines): pid to task name
 * @param options     every option in file order, known ones included; for v7 the section
 *                    pointers (ids 16 to 21) and BUFFER options too
 * @param cpus        the CPU data of the top-level ring buffer (v7: the first BUFFER option, which
 *                    trace-cmd writes for the top instance), cut to what the file holds in
 *                    partial mode
 * @param problems    what partial mode cut, one line each ("CPU 1 data ends at offset 0x1a2000,
 *                    4096 bytes short"); empty for a whole file
 */
public record TraceDat(int version, TraceDatHeader header, String printk, SortedMap<Integer, String> comms,
                       List<TraceDatOption> options, List<CpuData> cpus, List<String> problems) {

    public TraceDat {
        comms = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(comms));
        options = List.copyOf(options);
        cpus = List.copyOf(cpus);
        problems = List.copyOf(problems);
    }

    /** The first option with this id. */
    public Optional<TraceDatOption> option(int id) {
        return options.stream().filter(o -> o.id() == id).findFirst();
    }

    /** The bytes of proctap's own option ({@link TraceDatOption#PROCTAP}), absent in trace-cmd's files. */
    public Optional<byte[]> proctapSection() {
        return option(TraceDatOption.PROCTAP).map(TraceDatOption::data);
    }

    /** Whether partial mode had to cut something. */
    public boolean partial() {
        return !problems.isEmpty();
    }
}
