package org.proctap.source.tracefs;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

import org.proctap.event.CgroupAttach;
import org.proctap.event.Event;
import org.proctap.event.ProcessExec;
import org.proctap.event.TaskNew;
import org.proctap.event.TaskRename;
import org.proctap.model.CgroupTarget;
import org.proctap.model.NameMatcher;
import org.proctap.proc.ProcFs;
import org.proctap.source.SourceException;

/**
 * Runs on the life-cycle readers: under the pid-list strategy, when a process execs or renames
 * into a watched name, add it to the pid list at once, before the processing thread gets there,
 * so few of its early switches go unrecorded; and when a task with a watched task's comm renames,
 * let its charges through the charges instance's filter under the new name (KernelFilter).
 */
final class LifeFastPath implements Consumer<ByteBuffer> {
    private final PageDecoder pageDecoder;
    private final EventDecoder eventDecoder;
    private final NameMatcher matcher;
    private final CgroupTarget cgroup;
    private final int cpu;
    private final TraceInstance sched;
    private final KernelFilter filter;

    /**
     * @param matcher the name watched, or null when watching pids, a command or a cgroup
     * @param cgroup  the cgroup watched (--cgroup), or null
     */
    LifeFastPath(PageDecoder pageDecoder, EventDecoder eventDecoder, NameMatcher matcher, CgroupTarget cgroup, int cpu,
                 TraceInstance sched, KernelFilter filter) {
        this.cgroup = cgroup;
        this.pageDecoder = pageDecoder;
        this.eventDecoder = eventDecoder;
        this.matcher = matcher;
        this.cpu = cpu;
        this.sched = sched;
        this.filter = filter;
    }

    @Override
    public void accept(ByteBuffer page) {
        if (!filter.needsPidUpdates()) {
            // The comm filter keeps whatever matches from its first event, until a matching
            // task renames itself away from the name (every JVM thread does).
            pageDecoder.decode(page.duplicate().order(page.order()), (ts, data, offset, length) -> {
                if (eventDecoder.decode(ts, cpu, data, offset, length) instanceof TaskRename r
                        && matcher.matches(r.oldComm()) && !matcher.matches(r.newComm())) {
                    filter.renamedAway(r.task(), r.newComm());
                }
            });
            return;
        }
        StringBuilder pids = new StringBuilder();
        pageDecoder.decode(page.duplicate().order(page.order()), (ts, data, offset, length) -> {
            Event e = eventDecoder.decode(ts, cpu, data, offset, length);
            if (e instanceof TaskRename r) {
                filter.renamed(r.oldComm(), r.newComm());
            }
            if (cgroup != null && e instanceof CgroupAttach a && a.root() == 0 && cgroup.contains(a.path())) {
                // moved into the cgroup: trace its threads from now, not from the processing thread's turn
                pids.append(a.pid()).append(' ');
                for (int tid : ProcFs.threadsOf(a.pid())) {
                    if (tid != a.pid()) {
                        pids.append(tid).append(' ');
                    }
                }
            }
            if (matcher == null) {
                return; // watching pids: the kernel follows their forks, renames keep the pid
            }
            if (e instanceof TaskRename r && matcher.matches(r.newComm())) {
                pids.append(r.task()).append(' ');
            } else if (e instanceof TaskNew n && matcher.matches(n.comm())) {
                pids.append(n.child()).append(' '); // born to a matching parent, maybe before it was traced
            } else if (e instanceof ProcessExec x && matcher.matches(commOf(x.filename()))) {
                pids.append(x.pid()).append(' ');
                // and its charges fired from other tasks' contexts, which only the charges
                // instance's comm filter lets through: a new comm is added now, not on the
                // processing thread's turn (the first processes of a new name lost theirs)
                filter.chargesOf(commOf(x.filename()));
                // threads it created since the exec, before this moment: event-fork could not see them
                for (int tid : ProcFs.threadsOf(x.pid())) {
                    if (tid != x.pid()) {
                        pids.append(tid).append(' ');
                    }
                }
            }
        });
        if (!pids.isEmpty()) {
            try {
                sched.append("set_event_pid", pids.toString());
            } catch (SourceException ignored) {
                // the processing thread retries with the registry's view
            }
        }
    }

    private static String commOf(String path) {
        int slash = path.lastIndexOf('/');
        String base = slash >= 0 ? path.substring(slash + 1) : path;
        return base.length() > NameMatcher.COMM_LEN ? base.substring(0, NameMatcher.COMM_LEN) : base;
    }
}
