package org.proctap.it;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bpf backend leaves nothing loaded in the kernel, however proctap ends: SIGTERM, SIGINT,
 * the end of its command, kill -9 (which works because programs, links and maps die with the
 * process's fds). While it runs, its programs are loaded (pt_sched_switch among them) and it
 * has no tracefs instance: raw tracepoints need none.
 *
 * Programs are tied to this proctap by id, through the prog_id of its program and link fds
 * (see {@link KernelTruth#bpfProgramIdsHeldBy}): another proctap running on the same machine
 * (a benchmark, another test run) must neither hide a leak nor look like one. Ids are
 * allocated cyclically, so a freed id is not reused within a test.
 */
class BpfLifecycleIT extends ItSupport {
    static final String PREFIX = "pt_";
    /** A raw_tracepoint program is freed an RCU grace period after its last fd (~15 ms here). */
    static final Duration UNLOAD = Duration.ofSeconds(3);
    /** Long enough to list the programs after the start line, however slow bpftool is. */
    static final int COMMAND_SECONDS = 3;
    static final int COMMAND_EXIT = 3;

    enum Stop {
        SIGTERM(0), SIGINT(0), COMMAND_ENDS(COMMAND_EXIT), SIGKILL(128 + Proctap.SIGKILL);

        final int exitStatus;

        Stop(int exitStatus) {
            this.exitStatus = exitStatus;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Stop.class)
    @Timeout(120)
    void unloadsEveryProgram(Stop stop) {
        String nothing = Workload.uniqueName();
        List<String> args = stop == Stop.COMMAND_ENDS
                ? List.of("--json", "-i", "0", "--backend", "bpf", "--", "/bin/sh", "-c",
                        "sleep " + COMMAND_SECONDS + "; exit " + COMMAND_EXIT)
                : List.of("--json", "-i", "0", "--backend", "bpf", nothing);
        Set<Long> ours;
        try (Proctap p = Proctap.start(args.toArray(String[]::new))) {
            JsonNode start = p.awaitStart(STARTUP);
            assertThat(start.path("backend").asText()).as("start.backend").isEqualTo("bpf");

            ours = KernelTruth.bpfProgramIdsHeldBy(p.pid());
            List<KernelTruth.BpfProgram> loaded = KernelTruth.bpfProgramsNamed(PREFIX).stream()
                    .filter(prog -> ours.contains(prog.id())).toList();
            System.out.printf("[measured] bpf-lifecycle %s: proctap %d holds %d programs, %d named %s*: %s%n",
                    stop, p.pid(), ours.size(), loaded.size(), PREFIX, loaded);
            assertThat(loaded).as("%s* programs held by the running proctap %d (bpftool -j prog show)", PREFIX,
                    p.pid()).extracting(KernelTruth.BpfProgram::name).contains("pt_sched_switch");
            assertThat(loaded).as("every program proctap holds is named %s*", PREFIX).hasSameSizeAs(ours);
            assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("tracefs instances of the bpf backend").isEmpty();

            switch (stop) {
                case SIGTERM -> p.signal(Proctap.SIGTERM);
                case SIGINT -> {
                    assertThat(KernelTruth.ignoresSignal(p.pid(), Proctap.SIGINT)).as("proctap ignores SIGINT")
                            .isFalse();
                    p.signal(Proctap.SIGINT);
                }
                case SIGKILL -> p.signal(Proctap.SIGKILL);
                case COMMAND_ENDS -> {
                    // it ends by itself
                }
            }
            assertThat(p.waitFor(EXIT)).as("proctap's exit status after %s", stop).isEqualTo(stop.exitStatus);
            if (stop != Stop.SIGKILL) {
                List<JsonNode> all = p.json();
                assertJsonLinesWellFormed(all);
            }
            assertThat(p.stderr()).as("stderr (no stack trace)")
                    .noneMatch(l -> l.contains("Exception") || l.startsWith("\tat "));
            assertThat(KernelTruth.proctapInstancesOf(p.pid())).as("tracefs instances left").isEmpty();
        }

        long t0 = System.nanoTime();
        List<KernelTruth.BpfProgram> left = KernelTruth.awaitNoBpfPrograms(PREFIX, prog -> ours.contains(prog.id()),
                UNLOAD);
        System.out.printf("[measured] bpf-lifecycle %s: its programs were gone %.0f ms after proctap's exit "
                + "was seen%n", stop, (System.nanoTime() - t0) / 1e6);
        assertThat(left).as("programs of the proctap stopped by %s still loaded %d s after it exited", stop,
                UNLOAD.toSeconds()).isEmpty();
        // None of no running process either (a pinned or otherwise leaked program of any proctap):
        // on CI, where no other proctap runs, this is "no pt_* program at all".
        List<KernelTruth.BpfProgram> orphans = KernelTruth.awaitNoBpfPrograms(
                () -> KernelTruth.bpfProgramsHeldByNoProcess(PREFIX), UNLOAD);
        assertThat(orphans).as("%s* programs that no process holds", PREFIX).isEmpty();
    }
}
