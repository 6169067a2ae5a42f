package org.proctap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.proctap.exporter.BuildInfo;
import org.proctap.source.bpf.Libbpf;

class VersionTest {
    @Test
    void saysTheVersionTheCommitAndTheRuntime() {
        String[] lines = new Version().getVersion();
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).isEqualTo("proctap " + BuildInfo.VERSION + " (commit " + BuildInfo.COMMIT + ")");
        assertThat(lines[1]).startsWith("Java " + Runtime.version() + " (").endsWith(System.getProperty("java.home") + ")");
    }

    @Test
    void namesTheLibbpfFileTheLinkerMappedAndItsVersion() throws Exception {
        Path system = Path.of("/usr/lib/x86_64-linux-gnu/libbpf.so.1"); // Debian's libbpf1 (bpftool needs it)
        assertThat(system).exists();
        String line = Version.libbpf();
        // libbpf.so.1 links to libbpf.so.MAJOR.MINOR.PATCH: the mapped file's name must carry the
        // version libbpf_major_version/libbpf_minor_version reported.
        String real = system.toRealPath().toString();
        assertThat(line).isEqualTo("libbpf " + Libbpf.get().version() + " (" + real + ")");
        assertThat(real).contains("libbpf.so." + Libbpf.get().version() + ".");
    }

    @Test
    void aMissingLibbpfIsALineNotAFailure() {
        String before = System.getProperty(Libbpf.LIBRARY_PROPERTY);
        System.setProperty(Libbpf.LIBRARY_PROPERTY, "/proctap-no-such-dir/libbpf.so.1");
        try {
            assertThat(Version.libbpf()).isEqualTo("libbpf not found: libbpf not found at "
                    + "/proctap-no-such-dir/libbpf.so.1 (check -Dproctap.libbpf)");
        } finally {
            if (before == null) {
                System.clearProperty(Libbpf.LIBRARY_PROPERTY);
            } else {
                System.setProperty(Libbpf.LIBRARY_PROPERTY, before);
            }
        }
    }
}
