package org.proctap.event;

/**
 * {@code cgroup:cgroup_attach_task}: a write to cgroup.procs (or cgroup.threads) moved task
 * {@code pid} (the thread group leader, for a whole process) into cgroup {@code path} (relative
 * to its hierarchy's root) of hierarchy {@code root} (0 is the v2 one, as /proc/PID/cgroup
 * numbers it), {@code level} deep, whose id is {@code id}. Fired after the move, by the writer.
 */
public record CgroupAttach(long ts, int cpu, int tid, int root, int level, long id, int pid, String path, String comm)
        implements Event {
}
