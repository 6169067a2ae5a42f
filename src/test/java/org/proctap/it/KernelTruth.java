package org.proctap.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the kernel itself says, read without proctap: the ground truth the integration tests
 * compare proctap with (see docs/kernel-notes.md, "Ground truth for tests"). Parsers take text,
 * readers take the live files, so the parsers are tested on literals.
 */
public final class KernelTruth {
    public static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    private static final Pattern PROCTAP_INSTANCE = Pattern.compile("proctap-\\d+(-.*)?");

    private KernelTruth() {
    }

    /** /proc/PID/task/TID/schedstat: on-CPU ns, run-queue wait ns, times run (switch-ins). */
    public record SchedStat(long oncpuNs, long waitNs, long pcount) {
    }

    public static SchedStat schedstat(long pid, long tid) {
        return parseSchedstat(read(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "schedstat")));
    }

    static SchedStat parseSchedstat(String text) {
        String[] f = text.strip().split("\\s+");
        if (f.length < 3) {
            throw new IllegalArgumentException("not a schedstat line: '" + text + "'");
        }
        return new SchedStat(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
    }

    /** The LOC row of /proc/interrupts (local APIC timer interrupts), indexed by CPU number. */
    public static long[] localTimerInterrupts() {
        return parseLocalTimerInterrupts(read(Path.of("/proc/interrupts")));
    }

    static long[] parseLocalTimerInterrupts(String text) {
        String[] lines = text.split("\n");
        // Header: "           CPU0       CPU1" (offline CPUs have no column, so read the numbers).
        String[] header = lines[0].strip().split("\\s+");
        int[] cpuOfColumn = new int[header.length];
        int maxCpu = -1;
        for (int i = 0; i < header.length; i++) {
            if (!header[i].startsWith("CPU")) {
                throw new IllegalArgumentException("not a /proc/interrupts header: " + lines[0]);
            }
            cpuOfColumn[i] = Integer.parseInt(header[i].substring(3));
            maxCpu = Math.max(maxCpu, cpuOfColumn[i]);
        }
        for (String line : lines) {
            String[] f = line.strip().split("\\s+");
            if (f.length > header.length && f[0].equals("LOC:")) {
                long[] counts = new long[maxCpu + 1];
                for (int i = 0; i < header.length; i++) {
                    counts[cpuOfColumn[i]] = Long.parseLong(f[i + 1]);
                }
                return counts;
            }
        }
        throw new IllegalArgumentException("/proc/interrupts has no LOC row (not x86?)");
    }

    /**
     * One CPU's line of /proc/stat in ms: total (all states) and idle (idle + iowait). The
     * kernel reports USER_HZ ticks, which are 100 per second on x86 whatever CONFIG_HZ is.
     */
    public record CpuTime(long totalMs, long idleMs) {
    }

    public static CpuTime cpuTime(int cpu) {
        return parseCpuTime(read(Path.of("/proc/stat")), cpu);
    }

    static CpuTime parseCpuTime(String stat, int cpu) {
        String prefix = "cpu" + cpu + " ";
        for (String line : stat.split("\n")) {
            if (line.startsWith(prefix)) {
                String[] f = line.substring(prefix.length()).strip().split("\\s+");
                long total = 0;
                // user nice system idle iowait irq softirq steal (guest time is already in user)
                for (int i = 0; i < Math.min(8, f.length); i++) {
                    total += Long.parseLong(f[i]);
                }
                long idle = Long.parseLong(f[3]) + Long.parseLong(f[4]);
                return new CpuTime(total * 10, idle * 10);
            }
        }
        throw new IllegalArgumentException("no cpu" + cpu + " line in /proc/stat");
    }

    /** The effective uid, from /proc/self/status ("Uid: real effective saved fs"). */
    public static int effectiveUid() {
        return parseEffectiveUid(read(Path.of("/proc/self/status")));
    }

    static int parseEffectiveUid(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.substring(4).strip().split("\\s+")[1]);
            }
        }
        throw new IllegalArgumentException("no Uid: line in /proc/self/status");
    }

    /** Whether a process ignores a signal (SigIgn mask in /proc/PID/status). */
    public static boolean ignoresSignal(long pid, int signal) {
        for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                return (mask & (1L << (signal - 1))) != 0;
            }
        }
        throw new IllegalStateException("no SigIgn: line in /proc/" + pid + "/status");
    }

    /** Fails the test unless it runs as root: the integration tests trace the real kernel. */
    public static void requireRoot() {
        int euid = effectiveUid();
        if (euid != 0) {
            throw new AssertionError("the proctap integration tests must run as root (euid is " + euid
                    + "): they trace the real kernel. Run them as root, e.g. sudo scripts/test");
        }
    }

    /**
     * Makes sure tracefs is mounted at /sys/kernel/tracing (mounting it like trace-cmd does when
     * it is not) and returns its path; fails the test with the reason when that is impossible.
     */
    public static synchronized Path ensureTracefs() {
        requireRoot();
        if (Files.isDirectory(TRACEFS.resolve("instances"))) {
            return TRACEFS;
        }
        List<String> mount = List.of("mount", "-t", "tracefs", "nodev", TRACEFS.toString());
        String log;
        int code;
        try {
            Process p = new ProcessBuilder(mount).redirectErrorStream(true).start();
            p.getOutputStream().close();
            log = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("'" + String.join(" ", mount) + "' hung");
            }
            code = p.exitValue();
        } catch (IOException e) {
            throw new AssertionError("cannot run '" + String.join(" ", mount) + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        if (code != 0 || !Files.isDirectory(TRACEFS.resolve("instances"))) {
            throw new AssertionError("tracefs is not mounted at " + TRACEFS + " and '" + String.join(" ", mount)
                    + "' failed (exit " + code + "): " + log
                    + ". The integration tests need a kernel with tracefs (CONFIG_TRACING).");
        }
        System.out.println("[it] mounted tracefs at " + TRACEFS);
        return TRACEFS;
    }

    /** The names under /sys/kernel/tracing/instances that look like proctap's (proctap-PID[-...]). */
    public static List<String> proctapInstances() {
        Path dir = ensureTracefs().resolve("instances");
        try (Stream<Path> s = Files.list(dir)) {
            return proctapNames(s.map(p -> p.getFileName().toString()).toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    static List<String> proctapNames(List<String> names) {
        return names.stream().filter(n -> PROCTAP_INSTANCE.matcher(n).matches()).sorted().toList();
    }

    /**
     * The proctap-* instances whose PID is not a running proctap (a live process whose command
     * line mentions proctap): what a proctap killed by SIGKILL leaves behind.
     */
    public static List<String> staleProctapInstances() {
        return proctapInstances().stream().filter(n -> !isRunningProctap(pidOf(n))).toList();
    }

    static long pidOf(String instance) {
        String rest = instance.substring("proctap-".length());
        int dash = rest.indexOf('-');
        return Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
    }

    static boolean isRunningProctap(long pid) {
        try {
            String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
            return cmdline.contains("proctap");
        } catch (IOException e) {
            return false; // no such process
        }
    }

    /** The instances named after one proctap process: proctap-PID and proctap-PID-.... */
    public static List<String> proctapInstancesOf(long pid) {
        return instancesOf(proctapInstances(), pid);
    }

    static List<String> instancesOf(List<String> names, long pid) {
        String exact = "proctap-" + pid;
        return names.stream().filter(n -> n.equals(exact) || n.startsWith(exact + "-")).toList();
    }

    /**
     * Removes the instances a dead proctap left behind, so one failed test does not leave
     * tracing buffers behind; returns what it removed. Only for a PID known to be dead.
     */
    static List<String> removeInstancesOf(long pid) {
        List<String> removed = new ArrayList<>();
        Path dir = TRACEFS.resolve("instances");
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        List<String> names;
        try (Stream<Path> s = Files.list(dir)) {
            names = instancesOf(proctapNames(s.map(p -> p.getFileName().toString()).toList()), pid);
        } catch (IOException e) {
            System.out.println("[it] cannot list " + dir + ": " + e);
            return removed;
        }
        for (String name : names) {
            try {
                Files.delete(TRACEFS.resolve("instances").resolve(name)); // rmdir(2)
                removed.add(name);
            } catch (IOException e) {
                System.out.println("[it] cannot remove instance " + name + ": " + e);
            }
        }
        return removed;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException(path + " does not exist (the task exited?)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
