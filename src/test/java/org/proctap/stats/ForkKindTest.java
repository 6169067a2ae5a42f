package org.proctap.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.proctap.event.SyscallEnter.Syscall;

class ForkKindTest {
    @Test
    void namesWhatGlibcDid() {
        // glibc fork(): clone(CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD)
        assertThat(ForkKind.classify(Syscall.CLONE, 0x01200011L)).isEqualTo("fork");
        // pthread_create: clone3(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|...)
        assertThat(ForkKind.classify(Syscall.CLONE3, 0x003d0f00L)).isEqualTo("clone");
        // posix_spawn: clone3(CLONE_VM | CLONE_VFORK | SIGCHLD)
        assertThat(ForkKind.classify(Syscall.CLONE3, 0x4111L)).isEqualTo("vfork");
        assertThat(ForkKind.classify(Syscall.VFORK, 0x4111L)).isEqualTo("vfork");
        assertThat(ForkKind.classify(Syscall.FORK, 0x11L)).isEqualTo("fork");
        // a process sharing memory without vfork semantics
        assertThat(ForkKind.classify(Syscall.CLONE, 0x100L | 17)).isEqualTo("clone");
    }
}
