package org.proctap.model;

/**
 * A cgroup v2 to watch (--cgroup), with all its descendants: {@code path} as the kernel names it
 * relative to the v2 root ("/a/b", as /proc/PID/cgroup and the cgroup_attach_task tracepoint show
 * it; "/" for the root), and for the live kernel its cgroup id (the kernfs node id, which is the
 * directory's inode number on 64-bit, kernfs_id_ino() in include/linux/kernfs.h) and its depth
 * below the root ({@code cgroup->level}). A report of a recording knows only the path: id 0.
 */
public record CgroupTarget(String path, long id, int level) {

    public CgroupTarget {
        if (!path.startsWith("/") || path.length() > 1 && path.endsWith("/")) {
            throw new IllegalArgumentException("not a cgroup path: " + path);
        }
    }

    /** Whether a task in cgroup {@code cgroupPath} (same form) is inside the watched subtree. */
    public boolean contains(String cgroupPath) {
        if (cgroupPath == null) {
            return false;
        }
        if (path.equals("/")) {
            return cgroupPath.startsWith("/");
        }
        return cgroupPath.equals(path) || cgroupPath.startsWith(path) && cgroupPath.charAt(path.length()) == '/';
    }
}
