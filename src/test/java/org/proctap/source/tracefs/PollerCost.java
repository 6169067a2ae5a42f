package org.proctap.source.tracefs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.proctap.sys.Cpus;

/**
 * bench/poller-cost: what the one reader thread costs idle as the streams grow with the CPUs:
 * STREAMS readers over the trace_pipe_raw files of a scratch instance with no event enabled
 * (each CPU's file opened STREAMS / CPUs times: the kernel allows many readers of one buffer,
 * kernel/trace/trace.c, tracing_buffers_open), each drained every POLL_MS (TracefsSource: 100;
 * shorter, to measure a wake-up's cost over more of them). Prints the poller's CPU ms/s and
 * wake-ups/s (/proc/self/task/TID/{stat,status}) over SECONDS, and the CPU per stream drained.
 */
final class PollerCost {
    private PollerCost() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: PollerCost STREAMS SECONDS POLL_MS");
            System.exit(2);
        }
        int streams = Integer.parseInt(args[0]);
        double seconds = Double.parseDouble(args[1]);
        int pollMs = Integer.parseInt(args[2]);
        int ncpu = Cpus.possible();
        Tracefs tracefs = Tracefs.locateOrMount();
        try (TraceInstance instance = TraceInstance.create(tracefs,
                TraceInstance.PREFIX + ProcessHandle.current().pid() + "-pollcost")) {
            ChunkQueue queue = new ChunkQueue(4096);
            PagePool pool = new PagePool(16);
            List<PageReader> readers = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                readers.add(new PageReader(i, instance.rawPipe(i % ncpu), 4096, pool, null));
            }
            long[] marks = new long[1];
            Thread drain = Thread.ofPlatform().daemon().start(() -> {
                try {
                    List<Chunk> taken = new ArrayList<>();
                    while (true) {
                        taken.clear();
                        marks[0] += queue.takeAll(taken, 1_000);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            PagePoller poller = new PagePoller(readers, queue, pollMs);
            Thread thread = Thread.ofPlatform().name("proctap-read").start(poller);
            Thread.sleep(2_000);
            long tid = tid(thread);
            long[] a = usage(tid);
            Thread.sleep((long) (seconds * 1000));
            long[] b = usage(tid);
            poller.requestStop();
            thread.join();
            drain.interrupt();
            long hz = 100; // USER_HZ: clock ticks in /proc/PID/stat
            double cpuMs = (b[0] - a[0]) * 1000.0 / hz / seconds;
            double wakeups = (b[1] - a[1]) / seconds;
            System.out.printf("streams %d, poll %d ms: poller CPU %.2f ms/s, %.1f wake-ups/s, %.2f µs a stream drained,"
                    + " %d chunks%n", streams, pollMs, cpuMs, wakeups, cpuMs * 1000 / (wakeups * streams), marks[0]);
        }
    }

    /** The kernel's id of a platform thread: the one task of this process named like it. */
    private static long tid(Thread thread) throws Exception {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                if (Files.readString(t.resolve("comm")).strip().equals(thread.getName())) {
                    return Long.parseLong(t.getFileName().toString());
                }
            }
        }
        throw new IllegalStateException("no task named " + thread.getName());
    }

    /** {utime + stime in ticks, voluntary context switches}. */
    private static long[] usage(long tid) throws Exception {
        String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        Matcher m = Pattern.compile("voluntary_ctxt_switches:\\s+(\\d+)")
                .matcher(Files.readString(Path.of("/proc/self/task/" + tid + "/status")));
        return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), m.find() ? Long.parseLong(m.group(1)) : -1};
    }
}
