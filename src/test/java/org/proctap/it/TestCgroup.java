package org.proctap.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.proctap.proc.CgroupFs;

/**
 * A cgroup v2 a test makes under the root, proctap-test-RANDOM, with a child cgroup in it, and
 * processes started inside either. close() leaves nothing: every process still in them is moved
 * back to the root and killed, then the child and the parent are removed.
 */
final class TestCgroup implements AutoCloseable {
    private final Path root;
    private final Path dir;
    private final Path child;
    private final List<Process> started = new ArrayList<>();

    private TestCgroup(Path root, Path dir) {
        this.root = root;
        this.dir = dir;
        this.child = dir.resolve("child");
    }

    static TestCgroup create() throws IOException {
        Path root = CgroupFs.v2Mount();
        String name = "proctap-test-" + Long.toUnsignedString(new SecureRandom().nextLong(), 36);
        TestCgroup cg = new TestCgroup(root, root.resolve(name));
        Files.createDirectory(cg.dir);
        try {
            Files.createDirectory(cg.child);
        } catch (IOException e) {
            cg.close();
            throw e;
        }
        return cg;
    }

    Path dir() {
        return dir;
    }

    Path child() {
        return child;
    }

    Path root() {
        return root;
    }

    /** As proctap names it: relative to the v2 root, "/proctap-test-...". */
    String path() {
        return "/" + dir.getFileName();
    }

    /** Starts {@code command} already inside {@code cgroup} (a shell moves itself in, then execs it). */
    Process startIn(Path cgroup, String... command) throws IOException {
        StringBuilder sh = new StringBuilder("echo $$ > '" + cgroup.resolve("cgroup.procs") + "' && exec");
        for (String word : command) {
            sh.append(" '").append(word).append('\'');
        }
        return track(new ProcessBuilder("sh", "-c", sh.toString()).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start());
    }

    /** Starts {@code command} where the test runs (outside). */
    Process start(String... command) throws IOException {
        return track(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    private Process track(Process p) {
        started.add(p);
        return p;
    }

    /** Moves process {@code pid} (all its threads) into {@code cgroup}. */
    static void move(long pid, Path cgroup) throws IOException {
        Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(pid));
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Path cg : List.of(child, dir)) {
            if (!Files.isDirectory(cg)) {
                continue;
            }
            for (String line : Files.readString(cg.resolve("cgroup.procs")).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    move(Long.parseLong(line.strip()), root);
                } catch (IOException gone) {
                    // exited meanwhile
                }
                ProcessHandle.of(Long.parseLong(line.strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        for (Process p : started) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Path cg : List.of(child, dir)) {
            // rmdir succeeds once the last task has left; an exiting task may linger for a moment
            for (int attempt = 0; Files.isDirectory(cg); attempt++) {
                try {
                    Files.delete(cg);
                } catch (IOException e) {
                    if (attempt >= 50) {
                        first = first != null ? first : e;
                        break;
                    }
                    ItSupport.sleep(java.time.Duration.ofMillis(20));
                }
            }
        }
        if (first != null) {
            throw new UncheckedIOException("cannot remove " + dir, first);
        }
    }
}
