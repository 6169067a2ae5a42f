package org.proctap.source.bpf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.proctap.sys.Errno;

/**
 * What to tell the user when libbpf or the kernel refuses: turns (function, errno, section,
 * libbpf log) into the hint part of a {@link LibbpfException} headline. Kept apart so the
 * wording lives in one place.
 */
final class BpfHints {
    private static final int ENOTSUPP = 524; // kernel-internal "not supported", leaks to user space
    private static final int ESRCH = 3;
    private static final int E2BIG = 7;
    private static final Pattern PROG_FAILED = Pattern.compile("prog '([^']+)': BPF program load failed");
    private static final String CAPS = "run as root, or give proctap CAP_BPF and CAP_PERFMON";

    private BpfHints() {
    }

    static String open(int errno) {
        return switch (Math.abs(errno)) {
            case Errno.ENOMEM -> "out of memory";
            case Errno.ENOENT -> null;
            default -> "not a valid BPF object (rebuild it with scripts/build-bpf)";
        };
    }

    static String load(int errno, List<String> log) {
        int e = Math.abs(errno);
        for (String line : log) {
            if (line.contains("failed to find valid kernel BTF") || line.contains("vmlinux BTF")) {
                return "the kernel has no BTF (/sys/kernel/btf/vmlinux is missing):"
                        + " use a kernel built with CONFIG_DEBUG_INFO_BTF=y";
            }
        }
        for (String line : log) {
            Matcher m = PROG_FAILED.matcher(line);
            if (m.find() && e != Errno.EPERM) {
                return "the kernel rejected program '" + m.group(1) + "'"
                        + (e == Errno.EACCES || e == Errno.EINVAL ? " (verifier log below)" : "");
            }
        }
        return switch (e) {
            case Errno.EPERM -> CAPS + " (and check kernel.unprivileged_bpf_disabled and lockdown)";
            case Errno.ENOMEM -> "cannot allocate BPF maps: the memory cgroup limit (or RLIMIT_MEMLOCK"
                    + " on kernels before 5.11) is too low";
            case E2BIG -> "program or map too large for this kernel";
            case Errno.EINVAL, ENOTSUPP, Errno.ENOTSUP -> "this kernel lacks a BPF feature the object needs";
            default -> null;
        };
    }

    /** {@code section} is the program's SEC() name, e.g. "tracepoint/sched/sched_switch". */
    static String attach(String program, String section, int errno) {
        int e = Math.abs(errno);
        String sec = section == null ? "" : section;
        if (e == Errno.EPERM || e == Errno.EACCES) {
            return CAPS;
        }
        if (sec.startsWith("tracepoint/") || sec.startsWith("tp/")) {
            String tp = sec.substring(sec.indexOf('/') + 1).replaceFirst("/", ":");
            if (e == Errno.ENOENT) {
                if (!tracefsMounted()) {
                    return "tracefs is not mounted, so tracepoint " + tp + " cannot be found:"
                            + " mount -t tracefs nodev /sys/kernel/tracing";
                }
                return "tracepoint " + tp + " does not exist on this kernel"
                        + " (see /sys/kernel/tracing/available_events)";
            }
        }
        if ((sec.startsWith("raw_tracepoint/") || sec.startsWith("raw_tp/")) && e == Errno.ENOENT) {
            return "raw tracepoint " + sec.substring(sec.indexOf('/') + 1) + " does not exist on this kernel";
        }
        if (sec.startsWith("kprobe/") || sec.startsWith("kretprobe/")) {
            return "kprobes are not available on this kernel: use a tracepoint";
        }
        if (sec.startsWith("fentry/") || sec.startsWith("fexit/") || sec.startsWith("tp_btf/")) {
            return "BTF tracing programs (fentry/fexit/tp_btf) are not available on this kernel:"
                    + " use a tracepoint or raw_tracepoint";
        }
        if (e == Errno.ENOTSUP || e == ESRCH) {
            return "libbpf cannot attach section '" + sec + "' of program '" + program + "' by itself";
        }
        return null;
    }

    // libbpf reads tracepoint ids from <tracefs>/events/<cat>/<name>/id (libbpf.c
    // determine_tracepoint_id), trying /sys/kernel/debug/tracing first.
    private static boolean tracefsMounted() {
        return Files.isDirectory(Path.of("/sys/kernel/tracing/events"))
                || Files.isDirectory(Path.of("/sys/kernel/debug/tracing/events"));
    }
}
