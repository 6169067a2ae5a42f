package org.proctap.it;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A JVM workload for JavaThreadsIT, run by a java launcher symlinked under a unique name: two
 * threads named burner-1 and burner-2 (HotSpot renames their kernel tasks to match, as it does
 * for every thread it starts) each burn {@code args[0]} ms of their own CPU time and park. The
 * main thread waits until both sleep in the park (state S), reads their
 * /proc/self/task/TID/schedstat then, at rest, prints {@code burner name=N tid=T schedstat_ns=S
 * pcount=P} for each and halts the JVM: nothing runs on a burner after that reading but, at the
 * halt, its death. (A reading by the burner itself, before it parked, missed whatever the park
 * took: up to 12 switch-ins in a loaded run.)
 */
public final class JavaBurner {
    private JavaBurner() {
    }

    public static void main(String[] args) throws Exception {
        long burnNs = Long.parseLong(args[0]) * 1_000_000L;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int n = 2;
        String[] tids = new String[n];
        String[] stats = new String[n];
        CountDownLatch reported = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int slot = i;
            Thread t = new Thread(() -> {
                try {
                    tids[slot] = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
                    long start = mx.getCurrentThreadCpuTime();
                    long x = 0;
                    while (mx.getCurrentThreadCpuTime() - start < burnNs) {
                        for (int j = 0; j < 100_000; j++) {
                            x += j ^ x;
                        }
                    }
                    tids[slot] += x == 42 ? "" : ""; // (keeps the loop from being optimized away)
                    reported.countDown();
                    new CountDownLatch(1).await(); // park until the halt
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "burner-" + (i + 1));
            t.start();
        }
        reported.await();
        for (int i = 0; i < n; i++) {
            Path task = Path.of("/proc/self/task", tids[i]);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                String stat = Files.readString(task.resolve("stat"));
                if (stat.charAt(stat.lastIndexOf(')') + 2) == 'S' || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(2);
            }
            stats[i] = Files.readString(task.resolve("schedstat"));
        }
        for (int i = 0; i < n; i++) {
            String[] s = stats[i].strip().split(" ");
            System.out.println("burner name=burner-" + (i + 1) + " tid=" + tids[i] + " schedstat_ns=" + s[0]
                    + " pcount=" + s[2]);
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
