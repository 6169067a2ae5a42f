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
}
