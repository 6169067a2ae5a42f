package org.proctap.source.tracefs;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Optional;

import org.proctap.event.CgroupAttach;
import org.proctap.event.Event;
import org.proctap.event.IrqEntry;
import org.proctap.event.IrqExit;
import org.proctap.event.ProcessExec;
import org.proctap.event.ProcessExit;
import org.proctap.event.ProcessFork;
import org.proctap.event.SchedMigrate;
import org.proctap.event.SchedRuntime;
import org.proctap.event.SchedSwitch;
import org.proctap.event.SchedWakeup;
import org.proctap.event.SignalDeliver;
import org.proctap.event.SignalGenerate;
import org.proctap.event.SoftirqEntry;
import org.proctap.event.SoftirqExit;
import org.proctap.event.SyscallEnter;
import org.proctap.event.SyscallEnter.Syscall;
import org.proctap.event.TaskNew;
import org.proctap.event.TaskRename;
import org.proctap.event.TimerEntry;
import org.proctap.event.TimerExit;

/**
 * Turns record payloads (from {@link PageDecoder}) into {@link Event}s. Built once from the format
 * texts of the enabled events: every field's offset, size, signedness and string form is resolved
 * at {@link #create}, so decoding is a table lookup by {@code common_type} and a few absolute reads,
 * with repeated comms served from a cache instead of allocated.
 *
 * <p>Reads use the buffer's byte order (PageDecoder hands its visitor a buffer in the page's
 * order). Instances may be shared between threads.
 */
public final class EventDecoder {

    /** Decodes the payload of one event kind; {@code tid} is the record's common_pid. */
    @FunctionalInterface
    private interface Kind {
        Event decode(long ts, int cpu, int tid, ByteBuffer b, int at, int length);
    }

    /**
     * What is known about one event id; {@code dynamic}: its format has a __data_loc or __rel_loc
     * field, whose bounds only a decode checks.
     */
    private record Mapping(String event, int fixedLength, boolean dynamic, Kind kind) {
    }

    private final FieldReader commonType;
    private final FieldReader commonPid;
    private final int commonLength;
    private final Mapping[] byId;
    private final boolean groupDead;

    private EventDecoder(FieldReader commonType, FieldReader commonPid, Mapping[] byId, boolean groupDead) {
        this.commonType = commonType;
        this.commonPid = commonPid;
        this.commonLength = Math.max(commonType.end(), commonPid.end());
        this.byId = byId;
        this.groupDead = groupDead;
    }

    /**
     * Builds a decoder for the given formats. Formats of events proctap does not model are
     * accepted and their records decode to null.
     *
     * @throws IllegalArgumentException when a modelled event lacks a field it needs, two formats
     *         share an id, or the formats disagree on the common fields
     */
    public static EventDecoder create(Collection<EventFormat> formats) {
        if (formats.isEmpty()) {
            throw new IllegalArgumentException("no event formats: enable at least one event");
        }
        EventFormat first = formats.iterator().next();
        FieldReader commonType = FieldReader.number(first, "common_type");
        FieldReader commonPid = FieldReader.number(first, "common_pid");
        FormatField typeField = first.field("common_type");
        FormatField pidField = first.field("common_pid");
        int maxId = 0;
        for (EventFormat f : formats) {
            // Every record starts with struct trace_entry (include/linux/trace_events.h): the
            // id must be read before the format is known, so all formats must agree on it.
            if (!sameLayout(f.field("common_type"), typeField) || !sameLayout(f.field("common_pid"), pidField)) {
                throw new IllegalArgumentException("event " + f.system() + "/" + f.name()
                        + " places common_type/common_pid differently from " + first.system() + "/" + first.name());
            }
            maxId = Math.max(maxId, f.id());
        }
        if (maxId >= 1 << 20) {
            throw new IllegalArgumentException("event id " + maxId + " is implausibly large for a common_type");
        }
        StringCache strings = new StringCache();
        Mapping[] byId = new Mapping[maxId + 1];
        boolean groupDead = false;
        for (EventFormat f : formats) {
            if (byId[f.id()] != null) {
                throw new IllegalArgumentException("events " + byId[f.id()].event() + " and " + f.system() + "/"
                        + f.name() + " share the id " + f.id());
            }
            Kind kind = kindFor(f, strings);
            if (kind != null) {
                byId[f.id()] = new Mapping(f.system() + "/" + f.name(), f.fixedLength(),
                        f.fields().stream().anyMatch(FormatField::dataLoc), kind);
            }
            if (f.system().equals("sched") && f.name().equals("sched_process_exit")) {
                groupDead = f.findField("group_dead").isPresent();
            }
        }
        return new EventDecoder(commonType, commonPid, byId, groupDead);
    }

    /**
     * Decodes the record payload at {@code offset}. Returns null for ids of events that are not
     * modelled (or whose format was not given).
     *
     * @throws IllegalArgumentException when the record is shorter than its event's fixed fields
     *         or a dynamic string points outside it
     */
    public Event decode(long timestamp, int cpu, ByteBuffer page, int offset, int length) {
        if (length < commonLength) {
            throw new IllegalArgumentException("record of " + length + " bytes is shorter than the common fields");
        }
        int id = (int) commonType.longValue(page, offset);
        if (id >= byId.length) {
            return null;
        }
        Mapping m = byId[id];
        if (m == null) {
            return null;
        }
        if (length < m.fixedLength) {
            throw new IllegalArgumentException("record of " + m.event + " is " + length + " bytes, its format needs "
                    + m.fixedLength);
        }
        return m.kind.decode(timestamp, cpu, commonPid.intValue(page, offset), page, offset, length);
    }

    /**
     * Fails where {@link #decode} would, without decoding: a record shorter than the common
     * fields or its event's fixed ones, or a dynamic string outside it (such events, rare, are
     * decoded). A reader that checks every page before handing it on checks at a fraction of the
     * cost of decoding it twice.
     *
     * @throws IllegalArgumentException as decode does
     */
    public void check(ByteBuffer page, int offset, int length) {
        if (length < commonLength) {
            throw new IllegalArgumentException("record of " + length + " bytes is shorter than the common fields");
        }
        int id = (int) commonType.longValue(page, offset);
        Mapping m = id < byId.length ? byId[id] : null;
        if (m == null) {
            return;
        }
        if (length < m.fixedLength) {
            throw new IllegalArgumentException("record of " + m.event + " is " + length + " bytes, its format needs "
                    + m.fixedLength);
        }
        if (m.dynamic) {
            m.kind.decode(0, 0, commonPid.intValue(page, offset), page, offset, length);
        }
    }

    /**
     * False when sched_process_exit has no group_dead field (it was added to include/trace/events/sched.h
     * in 2025; older kernels lack it) or its format was not given; ProcessExit.groupDead is then false.
     */
    public boolean hasGroupDead() {
        return groupDead;
    }

    private static boolean sameLayout(FormatField a, FormatField b) {
        return a.offset() == b.offset() && a.size() == b.size();
    }

    /** The decoder for an event proctap models, or null. Field lookups by name happen only here. */
    private static Kind kindFor(EventFormat f, StringCache s) {
        String event = f.system() + "/" + f.name();
        return switch (event) {
            case "sched/sched_switch" -> {
                FieldReader prevComm = FieldReader.string(f, "prev_comm");
                FieldReader prevPid = FieldReader.number(f, "prev_pid");
                FieldReader prevPrio = FieldReader.number(f, "prev_prio");
                FieldReader prevState = FieldReader.number(f, "prev_state");
                FieldReader nextComm = FieldReader.string(f, "next_comm");
                FieldReader nextPid = FieldReader.number(f, "next_pid");
                FieldReader nextPrio = FieldReader.number(f, "next_prio");
                yield (ts, cpu, tid, b, at, n) -> new SchedSwitch(ts, cpu, tid,
                        prevComm.stringValue(b, at, n, s), prevPid.intValue(b, at), prevPrio.intValue(b, at),
                        prevState.longValue(b, at),
                        nextComm.stringValue(b, at, n, s), nextPid.intValue(b, at), nextPrio.intValue(b, at));
            }
            case "sched/sched_stat_runtime" -> {
                FieldReader comm = FieldReader.string(f, "comm");
                FieldReader pid = FieldReader.number(f, "pid");
                FieldReader runtime = FieldReader.number(f, "runtime");
                yield (ts, cpu, tid, b, at, n) -> new SchedRuntime(ts, cpu, tid, comm.stringValue(b, at, n, s),
                        pid.intValue(b, at), runtime.longValue(b, at));
            }
            case "sched/sched_wakeup" -> wakeup(f, s, false);
            case "sched/sched_wakeup_new" -> wakeup(f, s, true);
            case "sched/sched_migrate_task" -> {
                FieldReader comm = FieldReader.string(f, "comm");
                FieldReader pid = FieldReader.number(f, "pid");
                FieldReader prio = FieldReader.number(f, "prio");
                FieldReader orig = FieldReader.number(f, "orig_cpu");
                FieldReader dest = FieldReader.number(f, "dest_cpu");
                yield (ts, cpu, tid, b, at, n) -> new SchedMigrate(ts, cpu, tid, comm.stringValue(b, at, n, s),
                        pid.intValue(b, at), prio.intValue(b, at), orig.intValue(b, at), dest.intValue(b, at));
            }
            case "irq_vectors/local_timer_entry" -> {
                FieldReader vector = FieldReader.number(f, "vector");
                yield (ts, cpu, tid, b, at, n) -> new TimerEntry(ts, cpu, tid, vector.intValue(b, at));
            }
            case "irq_vectors/local_timer_exit" -> {
                FieldReader vector = FieldReader.number(f, "vector");
                yield (ts, cpu, tid, b, at, n) -> new TimerExit(ts, cpu, tid, vector.intValue(b, at));
            }
            case "irq_vectors/reschedule_exit", "irq_vectors/call_function_exit",
                 "irq_vectors/call_function_single_exit" -> {
                FieldReader vector = FieldReader.number(f, "vector");
                yield (ts, cpu, tid, b, at, n) -> new IrqExit(ts, cpu, tid, vector.intValue(b, at), -1);
            }
            case "irq/irq_handler_entry" -> {
                FieldReader irq = FieldReader.number(f, "irq");
                yield (ts, cpu, tid, b, at, n) -> new IrqEntry(ts, cpu, tid, irq.intValue(b, at));
            }
            case "irq/softirq_entry" -> {
                FieldReader vec = FieldReader.number(f, "vec");
                yield (ts, cpu, tid, b, at, n) -> new SoftirqEntry(ts, cpu, tid, vec.intValue(b, at));
            }
            case "irq/softirq_exit" -> {
                FieldReader vec = FieldReader.number(f, "vec");
                yield (ts, cpu, tid, b, at, n) -> new SoftirqExit(ts, cpu, tid, vec.intValue(b, at));
            }
            case "irq/irq_handler_exit" -> {
                FieldReader irq = FieldReader.number(f, "irq");
                yield (ts, cpu, tid, b, at, n) -> new IrqExit(ts, cpu, tid, -1, irq.intValue(b, at));
            }
            case "task/task_newtask" -> {
                FieldReader pid = FieldReader.number(f, "pid");
                FieldReader comm = FieldReader.string(f, "comm");
                FieldReader flags = FieldReader.number(f, "clone_flags");
                FieldReader oom = FieldReader.number(f, "oom_score_adj");
                yield (ts, cpu, tid, b, at, n) -> new TaskNew(ts, cpu, tid, pid.intValue(b, at),
                        comm.stringValue(b, at, n, s), flags.longValue(b, at), oom.intValue(b, at));
            }
            case "cgroup/cgroup_attach_task" -> {
                FieldReader root = FieldReader.number(f, "dst_root");
                FieldReader level = FieldReader.number(f, "dst_level");
                FieldReader id = FieldReader.number(f, "dst_id");
                FieldReader pid = FieldReader.number(f, "pid");
                FieldReader path = FieldReader.string(f, "dst_path");
                FieldReader comm = FieldReader.string(f, "comm");
                yield (ts, cpu, tid, b, at, n) -> new CgroupAttach(ts, cpu, tid, root.intValue(b, at),
                        level.intValue(b, at), id.longValue(b, at), pid.intValue(b, at),
                        path.stringValue(b, at, n, s), comm.stringValue(b, at, n, s));
            }
            case "task/task_rename" -> {
                FieldReader pid = FieldReader.number(f, "pid");
                FieldReader oldComm = FieldReader.string(f, "oldcomm");
                FieldReader newComm = FieldReader.string(f, "newcomm");
                FieldReader oom = FieldReader.number(f, "oom_score_adj");
                yield (ts, cpu, tid, b, at, n) -> new TaskRename(ts, cpu, tid, pid.intValue(b, at),
                        oldComm.stringValue(b, at, n, s), newComm.stringValue(b, at, n, s), oom.intValue(b, at));
            }
            case "sched/sched_process_fork" -> {
                FieldReader parentComm = FieldReader.string(f, "parent_comm");
                FieldReader parentPid = FieldReader.number(f, "parent_pid");
                FieldReader childComm = FieldReader.string(f, "child_comm");
                FieldReader childPid = FieldReader.number(f, "child_pid");
                yield (ts, cpu, tid, b, at, n) -> new ProcessFork(ts, cpu, tid,
                        parentComm.stringValue(b, at, n, s), parentPid.intValue(b, at),
                        childComm.stringValue(b, at, n, s), childPid.intValue(b, at));
            }
            case "sched/sched_process_exec" -> {
                FieldReader filename = FieldReader.string(f, "filename");
                FieldReader pid = FieldReader.number(f, "pid");
                FieldReader oldPid = FieldReader.number(f, "old_pid");
                yield (ts, cpu, tid, b, at, n) -> new ProcessExec(ts, cpu, tid, filename.stringValue(b, at, n, s),
                        pid.intValue(b, at), oldPid.intValue(b, at));
            }
            case "sched/sched_process_exit" -> {
                FieldReader comm = FieldReader.string(f, "comm");
                FieldReader pid = FieldReader.number(f, "pid");
                FieldReader prio = FieldReader.number(f, "prio");
                // group_dead was added in 2025; older kernels cannot tell the last thread from the format.
                Optional<FieldReader> dead = f.findField("group_dead").map(x -> FieldReader.number(f, "group_dead"));
                if (dead.isPresent()) {
                    FieldReader groupDead = dead.get();
                    yield (ts, cpu, tid, b, at, n) -> new ProcessExit(ts, cpu, tid, comm.stringValue(b, at, n, s),
                            pid.intValue(b, at), prio.intValue(b, at), groupDead.booleanValue(b, at));
                }
                yield (ts, cpu, tid, b, at, n) -> new ProcessExit(ts, cpu, tid, comm.stringValue(b, at, n, s),
                        pid.intValue(b, at), prio.intValue(b, at), false);
            }
            case "signal/signal_generate" -> {
                FieldReader sig = FieldReader.number(f, "sig");
                FieldReader errno = FieldReader.number(f, "errno");
                FieldReader code = FieldReader.number(f, "code");
                FieldReader comm = FieldReader.string(f, "comm");
                FieldReader pid = FieldReader.number(f, "pid");
                FieldReader group = FieldReader.number(f, "group");
                FieldReader result = FieldReader.number(f, "result");
                yield (ts, cpu, tid, b, at, n) -> new SignalGenerate(ts, cpu, tid, sig.intValue(b, at),
                        errno.intValue(b, at), code.intValue(b, at), comm.stringValue(b, at, n, s),
                        pid.intValue(b, at), group.booleanValue(b, at), result.intValue(b, at));
            }
            case "signal/signal_deliver" -> {
                FieldReader sig = FieldReader.number(f, "sig");
                FieldReader errno = FieldReader.number(f, "errno");
                FieldReader code = FieldReader.number(f, "code");
                FieldReader handler = FieldReader.number(f, "sa_handler");
                FieldReader flags = FieldReader.number(f, "sa_flags");
                yield (ts, cpu, tid, b, at, n) -> new SignalDeliver(ts, cpu, tid, sig.intValue(b, at),
                        errno.intValue(b, at), code.intValue(b, at), handler.longValue(b, at), flags.longValue(b, at));
            }
            default -> f.system().equals("syscalls") ? syscall(f) : null;
        };
    }

    private static Kind wakeup(EventFormat f, StringCache s, boolean newTask) {
        FieldReader comm = FieldReader.string(f, "comm");
        FieldReader pid = FieldReader.number(f, "pid");
        FieldReader prio = FieldReader.number(f, "prio");
        FieldReader target = FieldReader.number(f, "target_cpu");
        return (ts, cpu, tid, b, at, n) -> new SchedWakeup(ts, cpu, tid, comm.stringValue(b, at, n, s),
                pid.intValue(b, at), prio.intValue(b, at), target.intValue(b, at), newTask);
    }

    /** syscalls/sys_enter_NAME for the system calls in {@link Syscall}; null for the others. */
    private static Kind syscall(EventFormat f) {
        String prefix = "sys_enter_";
        if (!f.name().startsWith(prefix)) {
            return null;
        }
        String callName = f.name().substring(prefix.length());
        for (Syscall call : Syscall.values()) {
            if (!call.syscallName().equals(callName)) {
                continue;
            }
            return switch (call) {
                case CLONE -> {
                    FieldReader flags = FieldReader.number(f, "clone_flags");
                    yield (ts, cpu, tid, b, at, n) -> new SyscallEnter(ts, cpu, tid, call, flags.longValue(b, at));
                }
                case EXIT, EXIT_GROUP -> {
                    // "int error_code" is stored as the full 8-byte register (size:8, signed:0):
                    // the C value is its low 32 bits, so exit(-1) reads as -1, not 0xffffffff.
                    FieldReader code = FieldReader.number(f, "error_code");
                    yield (ts, cpu, tid, b, at, n) -> new SyscallEnter(ts, cpu, tid, call, code.intValue(b, at));
                }
                default -> (ts, cpu, tid, b, at, n) -> new SyscallEnter(ts, cpu, tid, call, 0);
            };
        }
        return null;
    }
}
