package org.proctap.source.tracefs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.proctap.event.Event;
import org.proctap.event.ProcessExit;
import org.proctap.event.TaskNew;
import org.proctap.event.TaskRename;
import org.proctap.stats.Lifecycle;

/**
 * The processes of a recording, as its own events tell them (task_newtask: who made which thread
 * or process, sched_process_exit, task_rename), for Lifecycle when it meets a process it did not
 * know: the machine's /proc is not the recording's.
 */
final class RecordedProcesses implements Lifecycle.Processes {
    /** include/uapi/linux/sched.h */
    static final long CLONE_THREAD = 0x00010000L;

    private final Map<Integer, Integer> tgids = new HashMap<>();
    private final Map<Integer, String> comms = new HashMap<>();

    /** Learns from one event of the recording, before Lifecycle sees it. */
    void learn(Event e) {
        switch (e) {
            case TaskNew n -> {
                int parentTgid = tgids.getOrDefault(n.tid(), n.tid());
                tgids.put(n.child(), (n.cloneFlags() & CLONE_THREAD) != 0 ? parentTgid : n.child());
                comms.put(n.child(), n.comm());
            }
            case TaskRename r -> comms.put(r.task(), r.newComm());
            case ProcessExit x -> {
                tgids.remove(x.task());
                comms.remove(x.task());
            }
            default -> {
            }
        }
    }

    @Override
    public int tgidOf(int tid) {
        // a task whose birth the recording does not hold is taken for a main thread
        return tgids.getOrDefault(tid, tid);
    }

    @Override
    public List<Integer> threadsOf(int tgid) {
        List<Integer> out = new ArrayList<>();
        tgids.forEach((tid, of) -> {
            if (of == tgid) {
                out.add(tid);
            }
        });
        if (!out.contains(tgid)) {
            out.add(tgid);
        }
        return out;
    }

    @Override
    public String commOf(int tgid, int tid) {
        return comms.getOrDefault(tid, "");
    }
}
