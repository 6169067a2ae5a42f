package org.proctap.source.bpf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.proctap.sys.Libc;

/** Shared set-up for tests that load real BPF programs: root, libbpf, tracefs, fd accounting. */
final class BpfTestSupport {
    static final String RESOURCES = "org/proctap/bpf/";

    private BpfTestSupport() {
    }

    /** Skips unless root with libbpf present; mounts tracefs if needed (libbpf attaches through it). */
    static Libbpf requireBpf() throws Exception {
        assumeTrue(Libc.geteuid() == 0, "needs root to load BPF programs");
        Libbpf lib;
        try {
            lib = Libbpf.get();
        } catch (BpfUnavailableException e) {
            assumeTrue(false, e.getMessage());
            throw e;
        }
        if (!Files.isDirectory(Path.of("/sys/kernel/tracing/events"))) {
            Process p = new ProcessBuilder("mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing")
                    .inheritIO().start();
            p.waitFor();
        }
        return lib;
    }

    static BpfObject open(Libbpf lib, String file) {
        return BpfObject.openResource(lib, RESOURCES + file);
    }

    /** This process's BPF fds (programs, maps, links), as their /proc/self/fd link targets. */
    static List<String> bpfFds() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("anon_inode:bpf")) {
                        out.add(fd.getFileName() + " " + target);
                    }
                } catch (IOException ignored) {
                    // the fd closed while listing (e.g. the directory stream's own)
                }
            }
        }
        return out;
    }

    /** The kernel's id of the BPF object behind one of our fds (fdinfo "prog_id:" / "map_id:"). */
    static int fdinfoId(int fd, String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith(key + ":")) {
                return Integer.parseInt(line.substring(key.length() + 1).trim());
            }
        }
        throw new IllegalStateException("fd " + fd + " has no " + key);
    }

    /** The calling thread's TID (the kernel's pid of this thread). */
    static int currentTid() throws IOException {
        String target = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString(); // "PID/task/TID"
        return Integer.parseInt(target.substring(target.lastIndexOf('/') + 1));
    }

    static byte[] u32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    static long le64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    /** Runs a command; returns its exit code and combined output. */
    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return p.waitFor() + "\n" + out;
    }
}
