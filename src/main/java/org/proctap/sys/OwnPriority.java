package org.proctap.sys;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * proctap's own threads run at a nice value below the tasks they watch, as atop runs at -20. On a
 * machine the watched tasks saturate, a reader at nice 0 is one of hundreds of equals: EEVDF gives
 * it a slice of a CPU once the others have had theirs (kernel/sched/fair.c, pick_eevdf() picks the
 * earliest virtual deadline, and a deadline is a slice divided by the weight), so it reads the
 * kernel's figures seconds late and the tables come late or only at the end. A lower nice value
 * divides its virtual slice by its weight (nice -10: 9548 against 1024, sched_prio_to_weight),
 * and it is picked that much sooner; it uses no more CPU than before.
 *
 * <p>Linux keeps the nice value per thread and a new thread starts with its creator's
 * (sched(7)), so setting every thread the JVM has now covers the threads it makes later. A command
 * proctap starts is given back the nice value proctap was started with before it runs
 * ({@link #restore}), so the workload runs as it would without proctap.
 */
public final class OwnPriority {
    /** proctap's threads' nice value unless --nice says otherwise. */
    public static final int DEFAULT_NICE = -10;

    private final int original;
    private final int nice;

    private OwnPriority(int original, int nice) {
        this.original = original;
        this.nice = nice;
    }

    /**
     * Sets every thread of this process to {@code requested}, or when that is null to
     * {@link #DEFAULT_NICE} unless proctap was started at that or lower. Throws when the kernel
     * refuses (a lower nice value needs CAP_SYS_NICE or RLIMIT_NICE); threads set until then stay
     * set, which harms nothing.
     */
    public static OwnPriority apply(Integer requested) throws ErrnoException {
        int original = Libc.niceOf(0);
        int nice = requested != null ? requested : Math.min(original, DEFAULT_NICE);
        if (nice == original) {
            return new OwnPriority(original, original);
        }
        // Threads the JVM starts while this runs inherit from a thread already set, or are found
        // on the next pass.
        Set<Integer> done = new HashSet<>();
        for (boolean found = true; found; ) {
            found = false;
            for (int tid : threads()) {
                if (done.add(tid)) {
                    found = true;
                    try {
                        Libc.setNice(tid, nice);
                    } catch (ErrnoException e) {
                        if (e.errno() != Errno.ESRCH) { // (a thread that ended meanwhile)
                            throw e;
                        }
                    }
                }
            }
        }
        return new OwnPriority(original, nice);
    }

    /** Gives a process proctap started (one thread, not yet running its program) proctap's original nice value. */
    public void restore(long pid) throws ErrnoException {
        if (nice != original) {
            Libc.setNice((int) pid, original);
        }
    }

    private static Set<Integer> threads() {
        Set<Integer> tids = new HashSet<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path p : dir) {
                tids.add(Integer.parseInt(p.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return tids;
    }
}
