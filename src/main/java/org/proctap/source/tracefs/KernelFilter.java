package org.proctap.source.tracefs;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import org.proctap.event.Event;
import org.proctap.event.SchedMigrate;
import org.proctap.event.SchedRuntime;
import org.proctap.model.NameMatcher;
import org.proctap.proc.ProcFs;
import org.proctap.source.SourceException;
import org.proctap.stats.Lifecycle;

/**
 * Which of the scheduling instance's events the kernel keeps: those of watched tasks, decided by
 * one of two strategies.
 *
 * <p><b>COMM</b> (watching by name, without -f, while every watched task's comm matches the name):
 * every event is filtered on the task's comm ({@code prev_comm ~ "*NAME*" || next_comm ~ "*NAME*"}
 * on sched_switch, {@code COMM ~ "*NAME*"} on the others). A process that execs into the name,
 * and every child it forks, match from their first event with no help from user space. A rejecting
 * event filter costs about 75 ns an event, while the pid list's probes cost that on every switch
 * and wake-up of every task (0.3 us per round trip of perf bench sched pipe), and a
 * {@code set_event_pid} write waits ~60 ms for RCU where a filter write takes ~150 us (measured on
 * Linux 6.18).
 *
 * <p><b>PIDS</b> (everything else): {@code set_event_pid} with {@code event-fork}, so the kernel
 * follows forks of watched tasks itself. A run starts with COMM when it can and switches, once and
 * for good, the first time a watched task's comm stops matching (a thread that renamed itself, as
 * every JVM thread does): pids are written first (for a moment the kernel keeps events passing
 * both tests), then the comm filters are cleared. Threads the registry has not seen yet are taken
 * from /proc, before and after the write.
 *
 * <p>Under PIDS the kernel keeps an event when the task current on its CPU is traced (a per-CPU
 * flag set at each switch and wake-up). A runtime charge of a watched task is made from another
 * CPU whenever that CPU brings the task's clock up to date: when it enqueues a woken task onto the
 * watched task's run queue or pulls a task from it (update_curr() of the remote current,
 * kernel/sched/fair.c), or reads its CPU time (task_sched_runtime(), for /proc/PID/stat or
 * clock_gettime() of another thread). Such a charge covers all the time since the previous one,
 * up to a tick, and the pid list keeps it only when the task on the charging CPU happens to be
 * traced. So under PIDS a third instance, the charges instance, records sched_stat_runtime
 * filtered on the charged task's comm ({@code comm == "a" || comm == "b"}, every comm a watched
 * task has had), and each charge is counted from exactly one instance ({@link #counts}): a charge
 * made on the task's own CPU from the scheduling instance, one made from another CPU from the
 * charges instance once it records them. (It is an instance of its own so that its readers wake
 * at half full like the scheduling instance's: the life-cycle readers wake at every event, which
 * at one charge per switch preempted the watched threads forty times as often.)
 */
final class KernelFilter implements Lifecycle.KernelFilter {
    enum Strategy { COMM, PIDS }

    private final TraceInstance sched;
    private final TraceInstance charges;
    private final List<EventPlan.Tracepoint> events;
    private final String glob;
    private final NameMatcher matcher;
    private final Supplier<Collection<Integer>> watchedTids;
    private final Supplier<Collection<Integer>> watchedTgids;
    private final Supplier<Collection<String>> watchedComms;
    private volatile Strategy strategy;
    /** Every comm a watched task has had under PIDS: the charges instance's filter. */
    private final Set<String> chargeComms = new LinkedHashSet<>();
    /** Trace time from which the charges instance records every remote charge. */
    private volatile long remoteChargesFrom = Long.MAX_VALUE;

    /**
     * @param glob         the kernel glob for the name, or null when PIDS is the only choice
     * @param watchedTids  every watched task now, as the registry knows them
     * @param watchedTgids every watched process now
     * @param watchedComms the comms of every watched task now
     */
    KernelFilter(TraceInstance sched, TraceInstance charges, List<EventPlan.Tracepoint> events, NameMatcher matcher,
                 String glob, Supplier<Collection<Integer>> watchedTids, Supplier<Collection<Integer>> watchedTgids,
                 Supplier<Collection<String>> watchedComms) {
        this.sched = sched;
        this.charges = charges;
        this.events = events;
        this.matcher = matcher;
        this.glob = glob;
        this.watchedTids = watchedTids;
        this.watchedTgids = watchedTgids;
        this.watchedComms = watchedComms;
    }

    /** Sets up the strategy before tracing starts: COMM when possible. */
    void start(boolean allowComm, Collection<Integer> tids, boolean everyCommMatches) {
        if (allowComm && glob != null && everyCommMatches) {
            strategy = Strategy.COMM;
            for (EventPlan.Tracepoint tp : events) {
                if (sched.hasEvent(tp.system(), tp.name())) {
                    sched.filter(tp.system(), tp.name(), filterFor(tp));
                }
            }
        } else {
            strategy = Strategy.PIDS;
            sched.write("options/event-fork", "1");
            sched.write("set_event_pid", pidList(tids));
            recordRemoteCharges(watchedComms.get());
        }
    }

    /**
     * Under PIDS only, before the scheduling instance's comm filters are cleared: from now on the
     * charges instance records the charges of tasks with these comms (see the class comment).
     */
    private void recordRemoteCharges(Collection<String> comms) {
        synchronized (chargeComms) {
            chargeComms.addAll(comms);
            writeChargeFilters();
        }
        // It now carries every charge of the watched tasks, as many as the scheduling instance
        // does: as much room (a ring buffer grows while tracing, kernel/trace/ring_buffer.c).
        charges.write("buffer_size_kb", sched.read("buffer_size_kb").strip().split("\\s+")[0]);
        for (String event : REMOTE) {
            charges.enable("sched", event);
        }
        remoteChargesFrom = System.nanoTime(); // CLOCK_MONOTONIC, the instances' trace_clock
    }

    /**
     * A watched task is (now) named {@code comm}: its remote charges must pass the charges
     * instance's filter. Called from the processing thread, and from the life-cycle readers as soon
     * as a task with a known comm renames, so little of its time goes by unfiltered.
     */
    void chargesOf(String comm) {
        if (remoteChargesFrom == Long.MAX_VALUE) {
            return;
        }
        synchronized (chargeComms) {
            if (chargeComms.add(comm)) {
                writeChargeFilters();
            }
        }
    }

    private void writeChargeFilters() {
        String filter = chargeFilter(chargeComms);
        for (String event : REMOTE) {
            charges.filter("sched", event, filter);
        }
    }

    /** Under PIDS, a task that had a watched task's comm renamed itself. */
    void renamed(String oldComm, String newComm) {
        boolean known;
        synchronized (chargeComms) {
            known = chargeComms.contains(oldComm);
        }
        if (known) {
            chargesOf(newComm);
        }
    }

    /**
     * Whether a sched_stat_runtime record read from one instance is counted, so that each charge
     * counts once: one made on the charged task's own CPU comes from the scheduling instance (the
     * charges instance's copy is dropped), one made from another CPU from the charges instance
     * from the moment it records them, before that from the scheduling instance.
     */
    boolean counts(boolean fromCharges, Event event) {
        return counts(fromCharges, event, remoteChargesFrom);
    }

    /** When the charges instance began recording charges made from other CPUs (MAX_VALUE: never). */
    long remoteChargesFrom() {
        return remoteChargesFrom;
    }

    /** {@link #counts(boolean, Event)}, with the charges instance recording since {@code remoteChargesFrom}. */
    static boolean counts(boolean fromCharges, Event event, long remoteChargesFrom) {
        int about = switch (event) {
            case SchedRuntime r -> r.pid();
            case SchedMigrate m -> m.task();
            default -> -1;
        };
        if (about < 0) {
            return true;
        }
        if (event.tid() == about) {
            return !fromCharges;
        }
        return fromCharges == (event.ts() >= remoteChargesFrom);
    }

    /**
     * The scheduling events about a task that another CPU can make, and that the charges instance
     * records under PIDS: runtime charges, and migrations (a wake-up or a load balance moves the
     * task from the waker's or the balancer's CPU, set_task_cpu()).
     */
    static final List<String> REMOTE = List.of("sched_stat_runtime", "sched_migrate_task");

    /** The kernel's limit on a filter written to an event (kernel/trace/trace_events_filter.c). */
    static final int MAX_FILTER = 4095;

    /**
     * {@code comm == "a" || comm == 'b"c'} (== compares literally, glob characters included);
     * none at all yet matches no task; "0" (no filter: every
     * charge, sorted out in user space) when a comm cannot be written as a literal or the filter
     * would be too long.
     */
    static String chargeFilter(Collection<String> comms) {
        StringBuilder sb = new StringBuilder();
        for (String comm : comms) {
            String lit = literal(comm);
            if (lit == null) {
                return "0";
            }
            if (!sb.isEmpty()) {
                sb.append(" || ");
            }
            sb.append("comm == ").append(lit);
        }
        if (sb.isEmpty()) {
            return "pid == " + NO_PID;
        }
        return sb.length() > MAX_FILTER ? "0" : sb.toString();
    }

    @Override
    public void watch(int tid, String comm, Why why) {
        if (strategy == Strategy.PIDS) {
            chargesOf(comm);
            if (why == Why.EXEC || why == Why.ADOPTED) {
                appendPid(tid); // event-fork follows children; renames keep the pid
            }
            return;
        }
        if (!matcher.matches(comm)) {
            switchToPids();
        }
    }

    @Override
    public void forget(int tid) {
        // the kernel drops exiting pids from set_event_pid itself; the comm filter has no pids
    }

    /** For the life-cycle readers' fast path: only the pid list needs user space to add a task. */
    boolean needsPidUpdates() {
        return strategy == Strategy.PIDS;
    }

    /**
     * From a life-cycle reader, as soon as a page shows it: a task whose comm matched the name
     * renamed itself to one that doesn't. The registry lives on the processing thread, up to a
     * poll period behind, and the comm filter drops the task's events meanwhile; so switch now,
     * with the watched set read from /proc (processes whose name matches, and their threads).
     * A false alarm (the task was not watched) only costs the cheaper filter.
     */
    void renamedAway(int tid, String newComm) {
        if (strategy != Strategy.COMM) {
            return;
        }
        // First let the new name through the comm filters too: a filter write takes ~150 us,
        // while the pid list's waits ~60 ms for RCU, every event of the renamed task dropped
        // meanwhile (a JVM thread that renamed itself lost 6 switch-ins and 1.9 ms so).
        String literal = literal(newComm);
        if (literal != null) {
            for (EventPlan.Tracepoint tp : events) {
                if (sched.hasEvent(tp.system(), tp.name())) {
                    sched.filter(tp.system(), tp.name(), filterFor(tp, literal));
                }
            }
        }
        Set<Integer> tgids = new LinkedHashSet<>();
        for (ProcFs.ProcessEntry e : ProcFs.processes()) {
            if (matcher.matches(e.comm()) && e.pid() != ProcessHandle.current().pid()) {
                tgids.add(e.pid());
            }
        }
        int owner = ProcFs.tgidOf(tid);
        if (owner > 0) {
            tgids.add(owner);
        }
        switchToPids(List.of(tid), tgids);
    }

    private void switchToPids() {
        switchToPids(watchedTids.get(), watchedTgids.get());
    }

    private synchronized void switchToPids(Collection<Integer> knownTids, Collection<Integer> tgids) {
        if (strategy == Strategy.PIDS) {
            return;
        }
        Set<Integer> tids = new LinkedHashSet<>(knownTids);
        for (int tgid : tgids) {
            tids.addAll(ProcFs.threadsOf(tgid)); // born before the registry heard of them
        }
        sched.write("options/event-fork", "1");
        sched.write("set_event_pid", pidList(tids));
        Set<String> comms = new LinkedHashSet<>(watchedComms.get());
        for (int tgid : tgids) {
            for (int tid : ProcFs.threadsOf(tgid)) {
                comms.add(ProcFs.commOf(tgid, tid));
            }
        }
        comms.remove("");
        recordRemoteCharges(comms);
        strategy = Strategy.PIDS;
        for (EventPlan.Tracepoint tp : events) {
            if (sched.hasEvent(tp.system(), tp.name())) {
                sched.filter(tp.system(), tp.name(), "0"); // "0" clears an event's filter
            }
        }
        StringBuilder late = new StringBuilder();
        for (int tgid : tgids) {
            for (int tid : ProcFs.threadsOf(tgid)) {
                if (tids.add(tid)) {
                    late.append(tid).append(' '); // born while the list was being written
                }
            }
        }
        if (!late.isEmpty()) {
            sched.append("set_event_pid", late.toString());
        }
    }

    String filterFor(EventPlan.Tracepoint tp) {
        return filterFor(tp, null);
    }

    /** The comm filter of {@code tp}, also letting through the comm {@code literal} (quoted) unless null. */
    String filterFor(EventPlan.Tracepoint tp, String literal) {
        String[] fields;
        if (tp.system().equals("sched") && tp.name().equals("sched_switch")) {
            fields = new String[] {"prev_comm", "next_comm"};
        } else if (tp.system().equals("sched") && (REMOTE.contains(tp.name()) || tp.name().equals("sched_wakeup"))) {
            // the task the event is about, which another CPU may charge, wake or move (the wakee)
            fields = new String[] {"comm"};
        } else {
            fields = new String[] {"COMM"};
        }
        StringBuilder sb = new StringBuilder();
        for (String f : fields) {
            sb.append(sb.isEmpty() ? "" : " || ").append(f).append(" ~ \"").append(glob).append('"');
        }
        if (literal != null) {
            for (String f : fields) {
                sb.append(" || ").append(f).append(" == ").append(literal);
            }
        }
        return sb.toString();
    }

    /** {@code comm} quoted for a filter's ==, or null when it cannot be written as a literal. */
    static String literal(String comm) {
        String q = comm.indexOf('"') < 0 ? "\"" : comm.indexOf('\'') < 0 ? "'" : null;
        if (q == null || comm.isEmpty() || comm.chars().anyMatch(c -> c == '\\' || c < 0x20)) {
            return null;
        }
        return q + comm + q;
    }

    void appendPid(int tid) {
        try {
            sched.append("set_event_pid", Integer.toString(tid));
        } catch (SourceException e) {
            if (ProcFs.exists(tid)) {
                throw e; // (a task that already exited cannot be added, and need not be)
            }
        }
    }

    /** A pid no task can have (PID_MAX_LIMIT): keeps an empty pid list from tracing everyone. */
    static final int NO_PID = 4_194_304;

    static String pidList(Collection<Integer> tids) {
        if (tids.isEmpty()) {
            return Integer.toString(NO_PID);
        }
        StringBuilder sb = new StringBuilder();
        for (int tid : tids) {
            sb.append(tid).append(' ');
        }
        return sb.toString();
    }
}
