package org.proctap.timeline;

/**
 * A task as the timeline names it: its id, its process, its name and whether it is watched
 * (watched tasks are coloured by process, the others grey). A task that execs or renames becomes a
 * second entry with the new name, so each slice shows the name it ran under.
 */
public record Task(int tid, int tgid, String comm, boolean watched) {
    public Task {
        comm = comm == null ? "" : comm;
    }
}
