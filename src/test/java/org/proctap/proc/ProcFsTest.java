package org.proctap.proc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcFsTest {
    @Test
    void commMayHoldParenthesesAndSpaces() {
        ProcFs.ProcessEntry e = ProcFs.parseStat(42, "42 (a) b (c)) S 7 42 42 0 -1 4194560 100");
        assertThat(e.comm()).isEqualTo("a) b (c)");
        assertThat(e.ppid()).isEqualTo(7);
    }

    @Test
    void readsThisProcess() {
        long self = ProcessHandle.current().pid();
        assertThat(ProcFs.tgidOf((int) self)).isEqualTo((int) self);
        assertThat(ProcFs.threadsOf((int) self)).contains((int) self);
        assertThat(ProcFs.state((int) self)).isIn('R', 'S');
        assertThat(ProcFs.tgidOf(Integer.MAX_VALUE)).isEqualTo(-1);
    }

    /** The kernel's pid_max and MemTotal, as cat reads them (a sysctl file once read as "3"). */
    @Test
    void pidMaxAndMemTotalAreTheKernelsFigures() throws Exception {
        String pidMax = org.proctap.testing.Commands.run(java.util.List.of("cat", "/proc/sys/kernel/pid_max")).strip();
        assertThat(ProcFs.pidMax()).isEqualTo(Integer.parseInt(pidMax));
        String meminfo = org.proctap.testing.Commands.run(java.util.List.of("grep", "^MemTotal:", "/proc/meminfo"));
        long kb = Long.parseLong(meminfo.replaceAll("[^0-9]", ""));
        assertThat(ProcFs.memTotal()).isEqualTo(kb * 1024);
    }
}
