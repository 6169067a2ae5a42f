package org.proctap.it;

import java.util.ArrayList;
import java.util.List;

/**
 * The hypervisor's steal of all CPUs (/proc/stat), sampled every 50 ms with CLOCK_MONOTONIC
 * (System.nanoTime, the clock of proctap's tables) while it is open, so that a test can say how
 * much was stolen during any table. The kernel charges steal to tasks lazily (the steal clock is
 * read at run queue clock updates and clamped to the time since the last one,
 * update_rq_clock_task() in kernel/sched/core.c), so a table's time accounting can be off by up to
 * what was stolen while it ran; see docs/kernel-notes.md.
 */
final class StealSampler implements AutoCloseable {
    private record Sample(long ns, long stealMs) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stop;

    StealSampler() {
        sample();
        thread = Thread.ofPlatform().daemon().name("steal-sampler").start(() -> {
            while (!stop) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                sample();
            }
        });
    }

    private void sample() {
        long steal = KernelTruth.stealMs();
        synchronized (samples) {
            samples.add(new Sample(System.nanoTime(), steal));
        }
    }

    /** At most how many ns were stolen from fromNs to toNs: the samples around, whole ticks. */
    long stolenNs(long fromNs, long toNs) {
        synchronized (samples) {
            long first = samples.getFirst().stealMs;
            long last = samples.getLast().stealMs;
            for (Sample s : samples) {
                if (s.ns <= fromNs) {
                    first = s.stealMs;
                }
                if (s.ns >= toNs) {
                    last = s.stealMs;
                    break;
                }
            }
            return Math.max(0, last - first + 10) * 1_000_000; // + one 10 ms tick either side
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join();
    }
}
