package org.proctap.tracedat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the output of {@code trace-cmd report -t FILE} (trace-cmd 3.1: tracecmd/trace-read.c with
 * libtraceevent's default print formats): a {@code cpus=N} line, then one line per event,
 * {@code COMM-PID [CPU] SECS.NSECS: EVENT: BODY}, in time order across CPUs.
 */
public final class TraceCmdReport {
    private TraceCmdReport() {
    }

    /** The task name may hold anything, "-" and blanks too: PID is the digits before " [CPU]". */
    private static final Pattern LINE = Pattern.compile(
            "^\\s*(.*)-(\\d+)\\s+\\[(\\d{3})\\]\\s+(\\d+)\\.(\\d{9}): ([a-z_0-9]+):\\s*(.*)$");
    /** sched_switch: "prev_comm:prev_pid [prio] STATE ==> next_comm:next_pid [prio]". */
    private static final Pattern SWITCH = Pattern.compile("^.*:(\\d+) \\[-?\\d+\\] \\S+ ==> .*:(\\d+) \\[-?\\d+\\]$");
    /** sched_wakeup: "comm:pid [prio] CPU:NNN" (plus " success=1" on older kernels). */
    private static final Pattern WAKEUP = Pattern.compile("^.*:(\\d+) \\[-?\\d+\\](?: success=\\d)? CPU:(\\d+)$");
    private static final Pattern FORK = Pattern.compile("^comm=.* pid=(\\d+) child_comm=.* child_pid=(\\d+)$");
    private static final Pattern EXEC = Pattern.compile("^filename=.* pid=(\\d+) old_pid=(\\d+)$");
    /** Printed before the first event of a page that says events were lost before it (tracecmd/trace-read.c). */
    private static final Pattern DROPPED = Pattern.compile("^CPU:(\\d+) \\[(?:(\\d+) )?EVENTS DROPPED\\]$");
    private static final Pattern EXIT = Pattern.compile("^comm=.* pid=(\\d+) prio=-?\\d+(?: group_dead=\\w+)?$");

    /** A parsed event line and the comm trace-cmd printed for its pid (from the file's comm table). */
    public record Line(DecodedEvent event, String comm) {
    }

    public static List<Line> parse(List<String> output) {
        if (output.isEmpty() || !output.getFirst().startsWith("cpus=")) {
            throw new IllegalArgumentException("trace-cmd report output does not start with cpus=N: "
                    + (output.isEmpty() ? "(empty)" : output.getFirst()));
        }
        List<Line> lines = new ArrayList<>();
        Matcher dropped = null;
        for (String text : output.subList(1, output.size())) {
            if (text.isBlank()) {
                continue;
            }
            Matcher d = DROPPED.matcher(text);
            if (d.matches()) {
                dropped = d;
                continue;
            }
            Matcher m = LINE.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a trace-cmd report line: " + text);
            }
            String event = m.group(6);
            long ts = Long.parseLong(m.group(4)) * 1_000_000_000L + Long.parseLong(m.group(5));
            DecodedEvent e = new DecodedEvent(ts, Integer.parseInt(m.group(3)), event, Integer.parseInt(m.group(2)),
                    ids(event, m.group(7).strip(), text));
            if (dropped != null) {
                // The mark belongs to the page of the event after it: it gets that event's time.
                long count = dropped.group(2) == null ? -1 : Long.parseLong(dropped.group(2));
                lines.add(new Line(Decoding.lost(ts, Integer.parseInt(dropped.group(1)), count), null));
                dropped = null;
            }
            lines.add(new Line(e, m.group(1).strip()));
        }
        return lines;
    }

    private static List<Long> ids(String event, String body, String text) {
        Pattern p = switch (event) {
            case "sched_switch" -> SWITCH;
            case "sched_wakeup", "sched_wakeup_new" -> WAKEUP;
            case "sched_process_fork" -> FORK;
            case "sched_process_exec" -> EXEC;
            case "sched_process_exit" -> EXIT;
            default -> null;
        };
        if (p == null) {
            return List.of();
        }
        Matcher m = p.matcher(body);
        if (!m.matches()) {
            throw new IllegalArgumentException("unexpected " + event + " body: " + text);
        }
        List<Long> ids = new ArrayList<>();
        for (int g = 1; g <= m.groupCount(); g++) {
            ids.add(Long.parseLong(m.group(g)));
        }
        return ids;
    }
}
