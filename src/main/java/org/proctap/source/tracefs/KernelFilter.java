package org.proctap.source.tracefs;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

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
 * flag set at each switch and wake-up). The kernel's runtime charge of a watched task made from
 * another CPU, when that CPU enqueues a woken task onto the watched task's run queue
 * (update_curr() of the remote current, kernel/sched/fair.c), is then recorded only if the
 * waker's task is traced too. The life-cycle instance therefore records the charges made from
 * idle CPUs ({@code common_pid == 0}: a timer or device interrupt in idle waking a task), which
 * the scheduling instance always drops; those from other untraced tasks are not recorded.
 */
final class KernelFilter implements Lifecycle.KernelFilter {
    enum Strategy { COMM, PIDS }

    private final TraceInstance sched;
    private final TraceInstance life;
    private final List<EventPlan.Tracepoint> events;
    private final String glob;
    private final NameMatcher matcher;
    private final Supplier<Collection<Integer>> watchedTids;
    private final Supplier<Collection<Integer>> watchedTgids;
    private volatile Strategy strategy;

    /**
     * @param glob         the kernel glob for the name, or null when PIDS is the only choice
     * @param watchedTids  every watched task now, as the registry knows them
     * @param watchedTgids every watched process now
     */
    KernelFilter(TraceInstance sched, TraceInstance life, List<EventPlan.Tracepoint> events, NameMatcher matcher,
                 String glob, Supplier<Collection<Integer>> watchedTids, Supplier<Collection<Integer>> watchedTgids) {
        this.sched = sched;
        this.life = life;
        this.events = events;
        this.matcher = matcher;
        this.glob = glob;
        this.watchedTids = watchedTids;
        this.watchedTgids = watchedTgids;
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
            recordChargesFromIdle();
        }
    }

    /**
     * Under PIDS only: the comm filter keeps every charge of a matching task, from whatever CPU,
     * and the pid list drops those made from idle (see the class comment), so there is no moment
     * when both instances keep the same charge.
     */
    private void recordChargesFromIdle() {
        if (life.hasEvent("sched", "sched_stat_runtime")) {
            life.filter("sched", "sched_stat_runtime", "common_pid == 0");
            life.enable("sched", "sched_stat_runtime");
        }
    }

    @Override
    public void watch(int tid, String comm, Why why) {
        if (strategy == Strategy.PIDS) {
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
    void renamedAway(int tid) {
        if (strategy != Strategy.COMM) {
            return;
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
        recordChargesFromIdle();
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
        if (tp.system().equals("sched") && tp.name().equals("sched_switch")) {
            return "prev_comm ~ \"" + glob + "\" || next_comm ~ \"" + glob + "\"";
        }
        if (tp.system().equals("sched") && tp.name().equals("sched_stat_runtime")) {
            // the task charged, which another CPU may update (task_sched_runtime())
            return "comm ~ \"" + glob + "\"";
        }
        return "COMM ~ \"" + glob + "\"";
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
