package org.proctap.source.tracefs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.proctap.event.CgroupAttach;
import org.proctap.event.Event;
import org.proctap.event.IrqEntry;
import org.proctap.event.IrqExit;
import org.proctap.event.SoftirqEntry;
import org.proctap.event.SoftirqExit;
import org.proctap.event.ProcessExec;
import org.proctap.event.ProcessExit;
import org.proctap.event.ProcessFork;
import org.proctap.event.SchedMigrate;
import org.proctap.event.SchedRuntime;
import org.proctap.event.SchedSwitch;
import org.proctap.event.SchedWakeup;
import org.proctap.event.SignalDeliver;
import org.proctap.event.SignalGenerate;
import org.proctap.event.SyscallEnter;
import org.proctap.event.TaskNew;
import org.proctap.event.TaskRename;
import org.proctap.event.TimerEntry;
import org.proctap.event.TimerExit;

/**
 * The kernel's text rendering of events (per_cpu/cpuN/trace with an instance's default options),
 * parsed, and the same rendering produced from decoded events so the two can be compared.
 */
final class KernelText {
    private KernelText() {
    }

    /**
     * One line: {@code TASK-PID [CPU] FLAGS SECS.USECS: EVENT: BODY}, or for syscall events
     * {@code ...: sys_NAME(ARG: VALUE, ...)}. TASK comes from the kernel's global comm cache, not from
     * the record, so only PID is compared.
     */
    record Line(int pid, int cpu, String flags, long micros, String event, String body) {
    }

    // The task name may contain anything, even "-" and blanks: PID is the digits before " [CPU]".
    private static final Pattern LINE = Pattern.compile(
            "^\\s*(.*)-(\\d+)\\s+\\[(\\d{3})\\]\\s+(\\S{5})\\s+(\\d+)\\.(\\d{6}): ([a-z_0-9]+)(?:: |\\()(.*)$");

    static Line parse(String text) {
        Matcher m = LINE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a trace line: " + text);
        }
        String event = m.group(7);
        String body = m.group(8);
        if (text.charAt(m.end(7)) == '(') {
            body = body.substring(0, body.length() - 1); // the closing ')' of a syscall line
        }
        return new Line(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), m.group(4),
                Long.parseLong(m.group(5)) * 1_000_000 + Long.parseLong(m.group(6)), event, body);
    }

    /** "clone_flags: 0x1200011, newsp: 0" as a map; values below 10 are printed in decimal. */
    static Map<String, Long> syscallArgs(String body) {
        Map<String, Long> args = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return args;
        }
        for (String part : body.split(", ")) {
            int colon = part.indexOf(": ");
            String value = part.substring(colon + 2);
            args.put(part.substring(0, colon), value.startsWith("0x")
                    ? Long.parseUnsignedLong(value.substring(2), 16) : Long.parseLong(value));
        }
        return args;
    }

    /** The tracepoint name the kernel prints for a decoded event. */
    static String eventName(Event e) {
        return switch (e) {
            case SchedSwitch x -> "sched_switch";
            case SchedRuntime x -> "sched_stat_runtime";
            case SchedWakeup x -> x.newTask() ? "sched_wakeup_new" : "sched_wakeup";
            case SchedMigrate x -> "sched_migrate_task";
            case TimerEntry x -> "local_timer_entry";
            case TimerExit x -> "local_timer_exit";
            case TaskNew x -> "task_newtask";
            case ProcessFork x -> "sched_process_fork";
            case ProcessExec x -> "sched_process_exec";
            case ProcessExit x -> "sched_process_exit";
            case TaskRename x -> "task_rename";
            case SyscallEnter x -> "sys_" + x.syscall().syscallName();
            case SignalGenerate x -> "signal_generate";
            case SignalDeliver x -> "signal_deliver";
            case CgroupAttach x -> "cgroup_attach_task";
            case IrqEntry x -> "irq_handler_entry";
            case SoftirqEntry x -> "softirq_entry";
            case SoftirqExit x -> "softirq_exit";
            case IrqExit x -> x.irq() >= 0 ? "irq_handler_exit" : switch (x.vector()) {
                case 253 -> "reschedule_exit";
                case 252 -> "call_function_exit";
                case 251 -> "call_function_single_exit";
                default -> "vector_" + x.vector() + "_exit";
            };
        };
    }

    /**
     * The body the kernel prints for a decoded event, following each event's "print fmt" on
     * Linux 6.18; null for syscall events, whose text shows arguments the model does not keep.
     */
    static String render(Event e) {
        return switch (e) {
            case SchedSwitch x -> "prev_comm=" + x.prevComm() + " prev_pid=" + x.prevTid() + " prev_prio=" + x.prevPrio()
                    + " prev_state=" + state(x.prevState()) + " ==> next_comm=" + x.nextComm() + " next_pid="
                    + x.nextTid() + " next_prio=" + x.nextPrio();
            case SchedRuntime x -> "comm=" + x.comm() + " pid=" + x.pid() + " runtime=" + x.runtimeNs() + " [ns]";
            case SchedWakeup x -> "comm=" + x.comm() + " pid=" + x.wakee() + " prio=" + x.prio() + " target_cpu="
                    + String.format("%03d", x.targetCpu());
            case SchedMigrate x -> "comm=" + x.comm() + " pid=" + x.task() + " prio=" + x.prio() + " orig_cpu="
                    + x.origCpu() + " dest_cpu=" + x.destCpu();
            case TimerEntry x -> "vector=" + x.vector();
            case TimerExit x -> "vector=" + x.vector();
            case TaskNew x -> "pid=" + x.child() + " comm=" + x.comm() + " clone_flags="
                    + Long.toHexString(x.cloneFlags()) + " oom_score_adj=" + x.oomScoreAdj();
            case ProcessFork x -> "comm=" + x.parentComm() + " pid=" + x.parentTid() + " child_comm=" + x.childComm()
                    + " child_pid=" + x.childTid();
            case ProcessExec x -> "filename=" + x.filename() + " pid=" + x.pid() + " old_pid=" + x.oldPid();
            case ProcessExit x -> "comm=" + x.comm() + " pid=" + x.task() + " prio=" + x.prio() + " group_dead="
                    + x.groupDead();
            case TaskRename x -> "pid=" + x.task() + " oldcomm=" + x.oldComm() + " newcomm=" + x.newComm()
                    + " oom_score_adj=" + x.oomScoreAdj();
            case CgroupAttach x -> "dst_root=" + x.root() + " dst_id=" + x.id() + " dst_level=" + x.level()
                    + " dst_path=" + x.path() + " pid=" + x.pid() + " comm=" + x.comm();
            case SignalGenerate x -> "sig=" + x.sig() + " errno=" + x.errno() + " code=" + x.code() + " comm="
                    + x.targetComm() + " pid=" + x.target() + " grp=" + (x.group() ? 1 : 0) + " res=" + x.result();
            case SignalDeliver x -> "sig=" + x.sig() + " errno=" + x.errno() + " code=" + x.code() + " sa_handler="
                    + Long.toHexString(x.saHandler()) + " sa_flags=" + Long.toHexString(x.saFlags());
            case SyscallEnter x -> null;
            case IrqExit x -> x.irq() >= 0 ? null : "vector=" + x.vector(); // irq_handler_exit's ret is not kept
            case IrqEntry x -> null; // its name is not kept
            case SoftirqEntry x -> "vec=" + x.vec() + " [action=" + org.proctap.metric.Softirq.name(x.vec()) + "]";
            case SoftirqExit x -> "vec=" + x.vec() + " [action=" + org.proctap.metric.Softirq.name(x.vec()) + "]";
        };
    }

    /** sched_switch's prev_state as its print fmt shows it (include/trace/events/sched.h). */
    static String state(long prevState) {
        String[] letters = {"S", "D", "T", "t", "X", "Z", "P", "I"};
        long bits = prevState & 0xff;
        StringBuilder s = new StringBuilder();
        if (bits == 0) {
            s.append('R');
        } else {
            for (int i = 0; i < letters.length; i++) {
                if ((bits & (1L << i)) != 0) {
                    s.append(s.isEmpty() ? "" : "|").append(letters[i]);
                }
            }
        }
        if ((prevState & 0x100) != 0) {
            s.append('+');
        }
        return s.toString();
    }

    /**
     * The latency columns trace_print_lat_fmt (kernel/trace/trace_output.c) derives from
     * common_flags and common_preempt_count, except the need-resched column, whose letters depend
     * on the preemption model: irqs-off/BH-off, '?', hard/soft irq, preempt depth, migrate-disable.
     */
    static String latencyColumns(int flags, int preemptCount) {
        boolean irqsOff = (flags & 0x01) != 0;
        boolean hardirq = (flags & 0x08) != 0;
        boolean softirq = (flags & 0x10) != 0;
        boolean nmi = (flags & 0x40) != 0;
        boolean bhOff = (flags & 0x80) != 0;
        char c0 = irqsOff && bhOff ? 'D' : irqsOff ? 'd' : bhOff ? 'b' : '.';
        char c2 = nmi && hardirq ? 'Z' : nmi ? 'z' : hardirq && softirq ? 'H' : hardirq ? 'h' : softirq ? 's' : '.';
        char c3 = (preemptCount & 0xf) == 0 ? '.' : Character.forDigit(preemptCount & 0xf, 16);
        char c4 = (preemptCount >> 4 & 0xf) == 0 ? '.' : Character.forDigit(preemptCount >> 4 & 0xf, 16);
        return "" + c0 + '?' + c2 + c3 + c4;
    }
}
