/**
 * trace-cmd's trace.dat files: {@link org.proctap.tracedat.TraceDatWriter} writes version 6,
 * {@link org.proctap.tracedat.TraceDatReader} reads versions 6 and 7 (uncompressed), both
 * streaming, so a file larger than the heap is written and read in bounded memory.
 *
 * <h2>What the writer puts in a file</h2>
 * The layout of Documentation/trace-cmd/trace-cmd.dat.v6.5.txt in trace-cmd's repository, every
 * number in the traced machine's byte order:
 * <pre>
 * 17 08 44 "tracing" "6\0"          magic and version
 * u8 endianness, u8 long size       0 = little endian; 4 or 8
 * u32 page size                     the sub-buffer size (buffer_subbuf_size_kb * 1024, 4096 by default)
 * "header_page\0"  u64 n, text      events/header_page (its data size follows the sub-buffer size)
 * "header_event\0" u64 n, text      events/header_event
 * u32 count, {u64 n, text}*         events/ftrace/* /format (may be none)
 * u32 systems, {"system\0", u32 count, {u64 n, text}*}*   events/SYSTEM/EVENT/format
 * u32 0                             kallsyms: none
 * u32 0                             printk formats: none
 * u64 n, "PID COMM\n"*              the comm table, as saved_cmdlines prints it
 * u32 cpus
 * "options  \0"
 *   u16 4, u32 n, "[mono]\0"        TRACECLOCK: trace_clock's text reduced to the clock in use
 *   {u16 id, u32 n, bytes}*         the caller's options: proctap's own (id 0x7074, JSON), UNAME, ...
 *   u16 0                           end of options
 * "flyrecord\0"
 * {u64 offset, u64 size} * cpus     each CPU's pages
 * u64 n, "[mono]"                   the trace clock again: trace-cmd reads it here when TRACECLOCK is set
 * zeros to the next page boundary
 * CPU 0's sub-buffers, CPU 1's, ... whole sub-buffers as trace_pipe_raw gave them, lost-event
 *                                   flags in their headers untouched
 * </pre>
 * trace-cmd ({@code lib/trace-cmd/trace-input.c}, {@code handle_options}) skips an option id it
 * does not know with the warning "unknown option N" and reads on; Debian 12's trace-cmd 3.1.6 was
 * checked to report such files event for event (TraceCmdIT).
 *
 * <h2>What the reader understands besides</h2>
 * Version 7 (Documentation/trace-cmd/trace-cmd.dat.v7.5.txt): after the page size a compression
 * header (name and version, {@code "none\0\0"} when uncompressed; anything else is refused with the command
 * that uncompresses it), the offset of the first options section, then sections (u16 id, u16
 * flags, u32 description string, u64 size) found through the options: HEADER_INFO (16),
 * FTRACE_EVENTS (17), EVENT_FORMATS (18), KALLSYMS (19), PRINTK (20), CMDLINES (21), each holding
 * what version 6 holds at that point, and per ring buffer a BUFFER option (3) with the offset of
 * its flyrecord section, its name, its clock, its page size and per CPU the id, offset and size of
 * its pages. The reader takes the top-level buffer (name "").
 *
 * <p>What is not read: kallsyms (skipped by its size), latency (text) traces, instances' buffers of
 * version 6, compressed version 7 files.
 */
package org.proctap.tracedat;
