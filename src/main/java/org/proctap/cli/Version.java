package org.proctap.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.proctap.exporter.BuildInfo;
import org.proctap.source.bpf.BpfUnavailableException;
import org.proctap.source.bpf.Libbpf;

import picocli.CommandLine;

/**
 * -V: proctap's version and commit, the Java runtime it runs on, and the libbpf the bpf backend
 * would use (loaded as that backend loads it, so -Dproctap.libbpf counts), or why there is none.
 * A missing libbpf is a line, not a failure: tracefs and proc work without it.
 */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {
            "proctap " + BuildInfo.VERSION + " (commit " + BuildInfo.COMMIT + ")",
            "Java " + Runtime.version() + " (" + System.getProperty("java.vm.vendor", "unknown vendor") + ", "
                    + System.getProperty("java.home") + ")",
            libbpf(),
        };
    }

    static String libbpf() {
        Libbpf lib;
        try {
            lib = Libbpf.get();
        } catch (BpfUnavailableException e) {
            return "libbpf not found: " + e.getMessage();
        }
        return "libbpf " + lib.version() + " (" + mappedFile(lib.source()) + ")";
    }

    /**
     * The file the dynamic linker mapped for {@code name} (libbpf.so.1 is a symlink to the real
     * file, whose name carries the patch level libbpf_minor_version does not), else {@code name}.
     */
    private static String mappedFile(String name) {
        String base = Path.of(name).getFileName().toString();
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            return maps.filter(line -> line.indexOf('/') >= 0).map(line -> line.substring(line.indexOf('/')))
                    .filter(file -> Path.of(file).getFileName().toString().startsWith(base))
                    .findFirst().orElse(name);
        } catch (IOException | RuntimeException e) {
            return name;
        }
    }
}
