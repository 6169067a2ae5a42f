package org.proctap.model;

import java.util.List;

/**
 * What to watch: processes by name, by pid, or a command proctap starts (with all its
 * descendants). {@code follow} adds every descendant of a watched process, whatever its name.
 */
public record TargetSpec(Mode mode, NameMatcher matcher, List<Integer> pids, List<String> command, boolean follow) {
    public enum Mode { NAME, PIDS, COMMAND }

    public static TargetSpec byName(NameMatcher matcher, boolean follow) {
        return new TargetSpec(Mode.NAME, matcher, List.of(), List.of(), follow);
    }

    public static TargetSpec byPids(List<Integer> pids, boolean follow) {
        return new TargetSpec(Mode.PIDS, null, List.copyOf(pids), List.of(), follow);
    }

    public static TargetSpec command(List<String> command) {
        return new TargetSpec(Mode.COMMAND, null, List.of(), List.copyOf(command), true);
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
        };
    }
}
