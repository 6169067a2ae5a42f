package org.proctap.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.proctap.model.CgroupTarget;

/**
 * The cgroup v2 hierarchy as proctap needs it for --cgroup: where it is mounted (/sys/fs/cgroup on
 * a pure v2 system, /sys/fs/cgroup/unified under systemd's hybrid layout), a user's path resolved
 * to a {@link CgroupTarget}, the processes in a subtree, and a task's own cgroup.
 */
public final class CgroupFs {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private CgroupFs() {
    }

    /** A --cgroup the user can fix: {@code usage} for what is wrong with the words, else the machine. */
    public static final class BadCgroupException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean usage;

        BadCgroupException(String message, boolean usage) {
            super(message);
            this.usage = usage;
        }

        public boolean usage() {
            return usage;
        }
    }

    /** The mount point of the cgroup v2 hierarchy in {@code mountinfo} (proc(5)), or null. */
    static Path v2Mount(String mountinfo) {
        for (String line : mountinfo.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] pre = line.substring(0, dash).split(" ");
            String[] post = line.substring(dash + 3).split(" ");
            if (pre.length > 4 && post.length > 0 && post[0].equals("cgroup2") && pre[3].equals("/")) {
                return Path.of(unescape(pre[4]));
            }
        }
        return null;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal (\040). */
    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** This machine's cgroup v2 mount point; BadCgroupException when there is none. */
    public static Path v2Mount() {
        Path mount;
        try {
            mount = v2Mount(Files.readString(MOUNTINFO));
        } catch (IOException e) {
            throw new BadCgroupException("cannot read " + MOUNTINFO + ": " + e.getMessage(), false);
        }
        if (mount == null) {
            throw new BadCgroupException("--cgroup: no cgroup v2 hierarchy is mounted "
                    + "(try: mount -t cgroup2 none /sys/fs/cgroup/unified)", false);
        }
        return mount;
    }

    /** {@link #resolve(String, Path)} against this machine's v2 mount. */
    public static CgroupTarget resolve(String arg) {
        return resolve(arg, v2Mount());
    }

    /**
     * A --cgroup argument: a path relative to the v2 root ("web", "/web/app", as /proc/PID/cgroup
     * writes it) or a directory under the v2 mount ("/sys/fs/cgroup/web"). It must exist and be a
     * domain cgroup: proctap watches processes, and the threads of one process can be split only
     * inside a threaded subtree (Documentation/admin-guide/cgroup-v2.rst, "Threads").
     */
    public static CgroupTarget resolve(String arg, Path mount) {
        if (arg.isEmpty()) {
            throw new BadCgroupException("--cgroup: the path is empty", true);
        }
        String rel = arg;
        String m = mount.toString();
        if (arg.equals(m) || arg.startsWith(m + "/")) {
            rel = arg.substring(m.length());
        } else if (arg.startsWith("/sys/fs/cgroup")) {
            throw new BadCgroupException("--cgroup: " + arg + " is not in the cgroup v2 hierarchy, which is mounted at "
                    + m + " (cgroup v1 hierarchies have no single tree of processes)", true);
        }
        List<String> parts = new ArrayList<>();
        for (String part : rel.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new BadCgroupException("--cgroup: no '..' in the path: " + arg, true);
            }
            parts.add(part);
        }
        String path = "/" + String.join("/", parts);
        Path dir = parts.isEmpty() ? mount : mount.resolve(String.join("/", parts));
        if (!Files.isRegularFile(dir.resolve("cgroup.procs"))) {
            throw new BadCgroupException("--cgroup: no cgroup " + path + " (no " + dir.resolve("cgroup.procs") + ")",
                    false);
        }
        if (!parts.isEmpty()) {
            String type = read(dir.resolve("cgroup.type")).strip();
            if (type.startsWith("threaded")) {
                throw new BadCgroupException("--cgroup: " + path + " is a threaded cgroup; proctap watches whole "
                        + "processes: give its threaded domain", false);
            }
        }
        long id;
        try {
            id = ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            throw new BadCgroupException("--cgroup: cannot stat " + dir + ": " + e.getMessage(), false);
        }
        return new CgroupTarget(path, id, parts.size());
    }

    /** The directory of {@code target} under the v2 mount. */
    public static Path dir(CgroupTarget target) {
        Path mount = v2Mount();
        return target.path().equals("/") ? mount : mount.resolve(target.path().substring(1));
    }

    /** Every process in {@code target} and its descendant cgroups now (cgroup.procs of each). */
    public static Set<Integer> processes(CgroupTarget target) {
        Set<Integer> pids = new LinkedHashSet<>();
        collect(dir(target), pids, 0);
        return pids;
    }

    private static void collect(Path dir, Set<Integer> pids, int depth) {
        for (String line : read(dir.resolve("cgroup.procs")).split("\n")) {
            if (!line.isBlank()) {
                pids.add(Integer.parseInt(line.strip()));
            }
        }
        if (depth > 256) {
            return; // (cgroup.max.depth is unlimited by default; no real tree is this deep)
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path child : children) {
                collect(child, pids, depth + 1);
            }
        } catch (IOException e) {
            // removed while scanning: its processes moved to the parent, read already or next
        }
    }

    /**
     * The v2 cgroup of a task, as /proc/PID/task/TID/cgroup says ("0::/a/b"), or null when the
     * task is gone.
     */
    public static String cgroupOf(int tgid, int tid) {
        Path file = Path.of("/proc", Integer.toString(tgid), "task", Integer.toString(tid), "cgroup");
        try {
            return v2Line(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return null;
        }
    }

    /** The path in the v2 line ("0::PATH") of a /proc/PID/cgroup text, or null. */
    static String v2Line(String text) {
        for (String line : text.split("\n")) {
            if (line.startsWith("0::")) {
                String p = line.substring(3);
                int deleted = p.indexOf(" (deleted)");
                return deleted >= 0 ? p.substring(0, deleted) : p;
            }
        }
        return null;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
