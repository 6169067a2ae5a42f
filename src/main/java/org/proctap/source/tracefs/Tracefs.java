package org.proctap.source.tracefs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.proctap.source.SourceException;

/**
 * Finds the tracefs mount, mounting it when it is missing as trace-cmd does: tracefs is not
 * mounted at boot on the machines proctap targets.
 */
public final class Tracefs {
    public static final Path DEFAULT = Path.of("/sys/kernel/tracing");
    private static final Path DEBUGFS = Path.of("/sys/kernel/debug/tracing");

    private final Path root;
    private final boolean mountedByUs;

    private Tracefs(Path root, boolean mountedByUs) {
        this.root = root;
        this.mountedByUs = mountedByUs;
    }

    public Path root() {
        return root;
    }

    /** True when this call mounted tracefs (the caller says so to the user). */
    public boolean mountedByUs() {
        return mountedByUs;
    }

    public Path path(String relative) {
        return root.resolve(relative);
    }

    public static boolean isMounted(Path root) {
        return Files.isDirectory(root.resolve("events")) && Files.exists(root.resolve("instances"));
    }

    /** Locates tracefs, or mounts it at /sys/kernel/tracing. */
    public static Tracefs locateOrMount() {
        if (isMounted(DEFAULT)) {
            return new Tracefs(DEFAULT, false);
        }
        if (isMounted(DEBUGFS)) {
            return new Tracefs(DEBUGFS, false);
        }
        if (!Files.isDirectory(DEFAULT)) {
            throw new SourceException("tracefs mount point " + DEFAULT + " is missing: is this kernel built with CONFIG_TRACING?");
        }
        runMount();
        if (!isMounted(DEFAULT)) {
            throw new SourceException("mounted tracefs at " + DEFAULT + " but it has no events: this kernel lacks event tracing");
        }
        return new Tracefs(DEFAULT, true);
    }

    private static void runMount() {
        List<String> command = List.of("mount", "-t", "tracefs", "nodev", DEFAULT.toString());
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new SourceException("could not mount tracefs (" + String.join(" ", command) + "): " + out);
            }
        } catch (IOException e) {
            throw new SourceException("could not run mount to mount tracefs: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException("interrupted while mounting tracefs");
        }
    }
}
