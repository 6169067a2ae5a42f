/**
 * proctap's events as a Perfetto trace, for ui.perfetto.dev and trace_processor, which do not read
 * binary trace.dat files (google/perfetto#1819): {@link org.proctap.perfetto.PerfettoWriter}.
 *
 * <p>The trace is what Perfetto's own ftrace data source would have written for the same
 * tracepoint hits (per-CPU FtraceEventBundles of FtraceEvents, after a SystemInfo packet), so
 * trace_processor's ftrace importer builds its sched, thread_state and process tables from it.
 * The messages, with Perfetto's field numbers, are in src/main/proto/perfetto_trace.proto; the
 * classes generated from it are in {@code org.proctap.perfetto.proto}.
 *
 * <p>prev_state is the kernel's raw value, as sched_switch reports it
 * (include/trace/events/sched.h __trace_sched_switch_state(): TASK_REPORT_MAX, 0x100 on Linux
 * 4.14+, for a preempted task, else one TASK_REPORT bit: 0x1 S, 0x2 D, ... 0x80 I). trace_processor
 * decodes it by the kernel version in SystemInfo (src/trace_processor/types/task_state.cc): from
 * 4.14 0x40 is P, 0x80 I and 0x100 preempted ("R+"); without a version it assumes 4.4, where
 * 0x80 and 0x100 would read as K and W.
 */
package org.proctap.perfetto;
