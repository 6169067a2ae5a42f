package org.proctap.model;

import java.util.List;

/**
 * What to watch: processes by name, by pid, a command proctap starts (with all its
 * descendants), or every process in a cgroup v2 subtree while it is there. {@code follow} adds
 * every descendant of a watched process, whatever its name. {@code cgroup} is set for
 * {@link Mode#CGROUP} only.
 */
public record TargetSpec(Mode mode, NameMatcher matcher, List<Integer> pids, List<String> command, boolean follow,
                         CgroupTarget cgroup) {
    public enum Mode { NAME, PIDS, COMMAND, CGROUP }

    public TargetSpec(Mode mode, NameMatcher matcher, List<Integer> pids, List<String> command, boolean follow) {
        this(mode, matcher, pids, command, follow, null);
    }

    public static TargetSpec byName(NameMatcher matcher, boolean follow) {
        return new TargetSpec(Mode.NAME, matcher, List.of(), List.of(), follow);
    }

    public static TargetSpec byPids(List<Integer> pids, boolean follow) {
        return new TargetSpec(Mode.PIDS, null, List.copyOf(pids), List.of(), follow);
    }

    public static TargetSpec command(List<String> command) {
        return new TargetSpec(Mode.COMMAND, null, List.of(), List.copyOf(command), true);
    }

    /** Every process in {@code cgroup} or below it, joining and leaving as it moves. */
    public static TargetSpec byCgroup(CgroupTarget cgroup) {
        return new TargetSpec(Mode.CGROUP, null, List.of(), List.of(), false, cgroup);
    }

    /** Descendants of a watched process are watched too (-f, and always for a command). */
    public boolean watchesDescendants() {
        return follow || mode == Mode.COMMAND;
    }

    public String describe() {
        return switch (mode) {
            case NAME -> matcher.describe();
            case PIDS -> String.join(",", pids.stream().map(String::valueOf).toList());
            case COMMAND -> String.join(" ", command);
            case CGROUP -> cgroup.path();
        };
    }
}
