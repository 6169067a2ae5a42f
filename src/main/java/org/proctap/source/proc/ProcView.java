package org.proctap.source.proc;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.proctap.proc.Stat;

/**
 * /proc as one poll sees it: the live view reads the kernel's files, the tests hand-written text.
 * Each call reads now; a process or thread that is gone is absent (null), never an error.
 */
interface ProcView {
    /**
     * Each process listed in /proc (or, when {@code only} is not null, each of those), by pid, as
     * its main thread's stat says. A process that cannot be read is left out and counted in
     * {@link #unreadable}.
     */
    Map<Integer, Stat> processes(Collection<Integer> only);

    /** The thread ids of process {@code tgid}; empty when it is gone. */
    List<Integer> threads(int tgid);

    /** Thread {@code tid}'s files, or null when it is gone or cannot be read. */
    TaskReading task(int tgid, int tid);

    /** The program process {@code tgid} runs (for an exec line), or null when it cannot be told. */
    String program(int tgid);

    /** The pids listed so far whose files could not be read (hidepid, a security module). */
    int unreadable();
}
