package org.proctap.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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

    /** /proc/PID/task/TID/status: voluntary and nonvoluntary context switches. */
    public record Switches(long voluntary, long nonvoluntary) {
    }

    public static Switches switches(long pid, long tid) {
        return parseSwitches(read(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "status")));
    }

    static Switches parseSwitches(String status) {
        long vol = -1;
        long nonvol = -1;
        for (String line : status.split("\n")) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
                vol = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                nonvol = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        if (vol < 0 || nonvol < 0) {
            throw new IllegalArgumentException("no *_ctxt_switches lines in: " + status);
        }
        return new Switches(vol, nonvol);
    }

    /** se.nr_migrations in /proc/PID/task/TID/sched: moves between CPUs (set_task_cpu()). */
    public static long migrations(long pid, long tid) {
        return parseMigrations(read(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "sched")));
    }

    static long parseMigrations(String sched) {
        for (String line : sched.split("\n")) {
            if (line.startsWith("se.nr_migrations")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        throw new IllegalArgumentException("no se.nr_migrations line in: " + sched);
    }

    /** The CPU a task is on, or last ran on while it sleeps: field 39 of /proc/PID/task/TID/stat. */
    public static int lastCpu(long pid, long tid) {
        return parseLastCpu(read(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "stat")));
    }

    static int parseLastCpu(String stat) {
        // the comm (field 2) may hold spaces and parentheses: fields count from the last ')'
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).strip().split(" ");
        return Integer.parseInt(rest[39 - 3]);
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

    /**
     * Time the hypervisor took from every CPU (the steal column of /proc/stat's "cpu" line), in
     * ms: with CONFIG_PARAVIRT_TIME_ACCOUNTING the kernel charges it to no task, so a task's
     * on-CPU time (sum_exec_runtime, CLOCK_THREAD_CPUTIME_ID) leaves out what was stolen while it
     * ran. USER_HZ ticks: 10 ms each.
     */
    public static long stealMs() {
        return parseStealMs(read(Path.of("/proc/stat")));
    }

    static long parseStealMs(String stat) {
        for (String line : stat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.substring(4).strip().split("\\s+");
                if (f.length < 8) {
                    break;
                }
                return Long.parseLong(f[7]) * 10;
            }
        }
        throw new IllegalArgumentException("no cpu line with a steal column in /proc/stat");
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

    /** One BPF program the kernel has loaded, as {@code bpftool -j prog show} lists it. */
    public record BpfProgram(long id, String type, String name) {
    }

    /**
     * The loaded BPF programs whose name starts with {@code prefix} (proctap's are all "pt_"),
     * by id. Fails the test if bpftool is missing: CI installs it (scripts/test).
     */
    public static List<BpfProgram> bpfProgramsNamed(String prefix) {
        List<String> cmd = List.of("bpftool", "-j", "prog", "show");
        String out;
        String err;
        int code;
        try {
            Process p = new ProcessBuilder(cmd).start();
            p.getOutputStream().close();
            // bpftool prints a few KB per program: read stdout before waiting, stderr after.
            out = new String(p.getInputStream().readAllBytes());
            err = new String(p.getErrorStream().readAllBytes()).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("'" + String.join(" ", cmd) + "' hung");
            }
            code = p.exitValue();
        } catch (IOException e) {
            throw new AssertionError("cannot run '" + String.join(" ", cmd) + "' (" + e.getMessage()
                    + "): the BPF integration tests list the kernel's BPF programs with bpftool;"
                    + " install it (apt-get install bpftool, or run scripts/test)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        if (code != 0) {
            throw new AssertionError("'" + String.join(" ", cmd) + "' failed (exit " + code + "): " + err);
        }
        return parseBpftoolProgs(out, prefix);
    }

    static List<BpfProgram> parseBpftoolProgs(String json, String prefix) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bpftool printed something that is not JSON: " + json, e);
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("bpftool -j prog show did not print a JSON array: " + json);
        }
        List<BpfProgram> programs = new ArrayList<>();
        for (JsonNode n : root) {
            String name = n.path("name").asText(""); // a program loaded without a name has none
            if (name.startsWith(prefix)) {
                programs.add(new BpfProgram(n.path("id").asLong(), n.path("type").asText(), name));
            }
        }
        programs.sort((a, b) -> Long.compare(a.id(), b.id()));
        return programs;
    }

    /**
     * The ids of the BPF programs a process holds, through a program fd or a link fd (both show
     * {@code prog_id:} in /proc/PID/fdinfo/FD). This bpftool has no "pids" field (it is built
     * without skeletons), so this is how a program is tied to the proctap that loaded it. Empty
     * for a process that has exited.
     */
    public static Set<Long> bpfProgramIdsHeldBy(long pid) {
        Set<Long> ids = new HashSet<>();
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        List<Path> entries;
        try (Stream<Path> s = Files.list(fds)) {
            entries = s.toList();
        } catch (IOException e) {
            return ids; // no such process (any more)
        }
        for (Path fd : entries) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                if (!target.equals("anon_inode:bpf-prog") && !target.equals("anon_inode:bpf_link")) {
                    continue;
                }
                Path fdinfo = fds.resolveSibling("fdinfo").resolve(fd.getFileName());
                Long id = parseFdinfoProgId(Files.readString(fdinfo));
                if (id != null) {
                    ids.add(id);
                }
            } catch (IOException e) {
                // closed meanwhile
            }
        }
        return ids;
    }

    /** The prog_id of a program's or a link's fdinfo text; null when it has none. */
    static Long parseFdinfoProgId(String fdinfo) {
        for (String line : fdinfo.split("\n")) {
            if (line.startsWith("prog_id:")) {
                return Long.parseLong(line.substring("prog_id:".length()).strip());
            }
        }
        return null;
    }

    /** The ids of the BPF programs some live process holds (through a program or link fd). */
    public static Set<Long> bpfProgramIdsHeldByAnyProcess() {
        Set<Long> ids = new HashSet<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .forEach(n -> ids.addAll(bpfProgramIdsHeldBy(Long.parseLong(n))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc", e);
        }
        return ids;
    }

    /**
     * The programs named {@code prefix}* that no process holds an fd of: leaked (pinned, or
     * held by something that is not a process), or freed a few ms ago and not yet gone.
     */
    public static List<BpfProgram> bpfProgramsHeldByNoProcess(String prefix) {
        List<BpfProgram> named = bpfProgramsNamed(prefix);
        if (named.isEmpty()) {
            return named;
        }
        Set<Long> held = bpfProgramIdsHeldByAnyProcess();
        return named.stream().filter(p -> !held.contains(p.id())).toList();
    }

    /**
     * Polls (every 20 ms) until {@code lister} lists no program or the time is up; returns what
     * it listed last (empty: none remain). A raw_tracepoint program stays listed ~15 ms after its
     * last fd closes (freed after an RCU grace period, see docs/kernel-notes.md), so a check
     * right after an exit would be wrong; a few seconds is far more than a busy machine needs.
     */
    public static List<BpfProgram> awaitNoBpfPrograms(Supplier<List<BpfProgram>> lister, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<BpfProgram> left = lister.get();
            if (left.isEmpty() || System.nanoTime() > deadline) {
                return left;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Waits up to {@code timeout} for no program named {@code prefix}* that satisfies {@code which}. */
    public static List<BpfProgram> awaitNoBpfPrograms(String prefix, Predicate<BpfProgram> which, Duration timeout) {
        return awaitNoBpfPrograms(() -> bpfProgramsNamed(prefix).stream().filter(which).toList(), timeout);
    }

    /** Waits up to 3 s for no program named {@code prefix}* at all. */
    public static List<BpfProgram> awaitNoBpfPrograms(String prefix) {
        return awaitNoBpfPrograms(prefix, p -> true, Duration.ofSeconds(3));
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
