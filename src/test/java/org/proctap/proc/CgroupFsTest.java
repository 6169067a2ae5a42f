package org.proctap.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proctap.model.CgroupTarget;

/** --cgroup PATH: finding the v2 mount, resolving and refusing paths, against a made-up hierarchy. */
class CgroupFsTest {
    @TempDir
    Path mount;

    /** A cgroup directory as cgroupfs shows one: cgroup.procs, and cgroup.type below the root. */
    private Path cgroup(String rel, String type) throws IOException {
        Path dir = rel.isEmpty() ? mount : mount.resolve(rel);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cgroup.procs"), "");
        if (!rel.isEmpty()) {
            Files.writeString(dir.resolve("cgroup.type"), type + "\n");
        }
        return dir;
    }

    @Test
    void findsTheV2MountInMountinfo() {
        String hybrid = """
                31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
                32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
                41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
                """;
        assertThat(CgroupFs.v2Mount(hybrid)).isEqualTo(Path.of("/sys/fs/cgroup/unified"));
        assertThat(CgroupFs.v2Mount("29 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw\n"))
                .isEqualTo(Path.of("/sys/fs/cgroup"));
        assertThat(CgroupFs.v2Mount("29 23 0:26 / /my\\040cgroups rw - cgroup2 none rw\n"))
                .isEqualTo(Path.of("/my cgroups"));
        // a bind mount of a subtree (root not "/") does not show the whole hierarchy
        assertThat(CgroupFs.v2Mount("29 23 0:26 /sub /mnt rw - cgroup2 none rw\n")).isNull();
        assertThat(CgroupFs.v2Mount(hybrid.lines().limit(2).reduce("", (a, b) -> a + b + "\n"))).isNull();
    }

    @Test
    void resolvesRelativeRootedAndMountedPathsToTheSameCgroup() throws IOException {
        cgroup("", "");
        Path web = cgroup("web/app", "domain");
        cgroup("web", "domain");
        long ino = (Long) Files.getAttribute(web, "unix:ino");
        for (String arg : new String[] {"web/app", "/web/app", "web//app/", "./web/app", mount + "/web/app"}) {
            CgroupTarget t = CgroupFs.resolve(arg, mount);
            assertThat(t.path()).as(arg).isEqualTo("/web/app");
            assertThat(t.level()).as(arg).isEqualTo(2);
            assertThat(t.id()).as(arg).isEqualTo(ino);
        }
        CgroupTarget root = CgroupFs.resolve(mount.toString(), mount);
        assertThat(root.path()).isEqualTo("/");
        assertThat(root.level()).isZero();
        assertThat(CgroupFs.resolve("/", mount).path()).isEqualTo("/");
    }

    @Test
    void refusesWhatCannotBeAV2Cgroup() throws IOException {
        cgroup("", "");
        cgroup("web", "domain");
        cgroup("web/workers", "threaded");
        assertThatThrownBy(() -> CgroupFs.resolve("", mount)).isInstanceOfSatisfying(CgroupFs.BadCgroupException.class,
                e -> assertThat(e.usage()).isTrue()).hasMessage("--cgroup: the path is empty");
        assertThatThrownBy(() -> CgroupFs.resolve("web/../etc", mount))
                .isInstanceOfSatisfying(CgroupFs.BadCgroupException.class, e -> assertThat(e.usage()).isTrue())
                .hasMessageContaining("no '..'");
        assertThatThrownBy(() -> CgroupFs.resolve("/sys/fs/cgroup/cpu/web", mount))
                .isInstanceOfSatisfying(CgroupFs.BadCgroupException.class, e -> assertThat(e.usage()).isTrue())
                .hasMessageContaining("is not in the cgroup v2 hierarchy, which is mounted at " + mount);
        assertThatThrownBy(() -> CgroupFs.resolve("nope", mount))
                .isInstanceOfSatisfying(CgroupFs.BadCgroupException.class, e -> assertThat(e.usage()).isFalse())
                .hasMessageStartingWith("--cgroup: no cgroup /nope (no ");
        assertThatThrownBy(() -> CgroupFs.resolve("web/workers", mount))
                .isInstanceOfSatisfying(CgroupFs.BadCgroupException.class, e -> assertThat(e.usage()).isFalse())
                .hasMessageContaining("/web/workers is a threaded cgroup");
    }

    @Test
    void readsTheV2LineOfProcPidCgroup() {
        assertThat(CgroupFs.v2Line("9:name=systemd:/\n4:memory:/x\n0::/web/app\n")).isEqualTo("/web/app");
        assertThat(CgroupFs.v2Line("0::/gone (deleted)\n")).isEqualTo("/gone");
        assertThat(CgroupFs.v2Line("1:cpu:/\n")).isNull();
    }

    @Test
    void containsTheCgroupAndItsDescendantsOnly() {
        CgroupTarget web = new CgroupTarget("/web", 7, 1);
        assertThat(web.contains("/web")).isTrue();
        assertThat(web.contains("/web/app")).isTrue();
        assertThat(web.contains("/webapp")).isFalse();
        assertThat(web.contains("/")).isFalse();
        assertThat(web.contains(null)).isFalse();
        assertThat(new CgroupTarget("/", 1, 0).contains("/anything")).isTrue();
        assertThatThrownBy(() -> new CgroupTarget("web", 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
