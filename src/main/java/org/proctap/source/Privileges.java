package org.proctap.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.proctap.sys.Libc;

/**
 * What this process may do for the event sources, asked before trying: root, or the capabilities
 * the BPF program needs (CAP_BPF and CAP_PERFMON for tracing programs since Linux 5.8, or
 * CAP_SYS_ADMIN), and whether tracefs can take an instance (its instances directory writable, or
 * tracefs not mounted and CAP_SYS_ADMIN to mount it). The /proc poller needs none of them.
 */
public record Privileges(boolean root, boolean capBpf, boolean capPerfmon, boolean capSysAdmin, boolean tracefsWritable) {
    /** include/uapi/linux/capability.h */
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_PERFMON = 38;
    static final int CAP_BPF = 39;
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");

    /** This process's, from geteuid(2), /proc/self/status (CapEff) and access(2) on tracefs. */
    public static Privileges current() {
        long caps = effectiveCaps();
        boolean sysAdmin = has(caps, CAP_SYS_ADMIN);
        boolean mounted = Files.isDirectory(TRACEFS.resolve("events"));
        boolean tracefs = Files.isWritable(TRACEFS.resolve("instances"))
                || (!Files.exists(TRACEFS.resolve("instances")) && !mounted && sysAdmin);
        return new Privileges(Libc.geteuid() == 0, has(caps, CAP_BPF), has(caps, CAP_PERFMON), sysAdmin, tracefs);
    }

    public boolean bpfAllowed() {
        return root || capSysAdmin || (capBpf && capPerfmon);
    }

    public boolean tracefsAllowed() {
        return root || tracefsWritable;
    }

    /** What keeps both event sources out, e.g. "not root (no CAP_BPF/CAP_PERFMON, tracefs not writable)". */
    public String missing() {
        List<String> no = new ArrayList<>();
        if (!bpfAllowed()) {
            no.add(!capBpf && !capPerfmon ? "no CAP_BPF/CAP_PERFMON" : !capBpf ? "no CAP_BPF" : "no CAP_PERFMON");
        }
        if (!tracefsAllowed()) {
            no.add("tracefs not writable");
        }
        return (root ? "root" : "not root") + (no.isEmpty() ? "" : " (" + String.join(", ", no) + ")");
    }

    private static boolean has(long caps, int cap) {
        return (caps >>> cap & 1) != 0;
    }

    /** CapEff of /proc/self/status, a hexadecimal mask (fs/proc/array.c, render_cap_t()); 0 when unreadable. */
    static long effectiveCaps() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring(7).strip(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no capabilities known: the sources will say what they lack when they try
        }
        return 0;
    }
}
