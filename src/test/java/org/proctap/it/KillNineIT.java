package org.proctap.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 gives proctap no chance to remove its tracefs instances; the next proctap to start
 * must remove them (those of proctap processes that no longer run).
 */
class KillNineIT extends ItSupport {

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.proctap.it.Backends#all")
    @Timeout(120)
    void theNextProctapRemovesWhatAKilledOneLeft(String backend) {
        String nothing = Workload.uniqueName();
        long killedPid;
        try (Proctap killed = Proctap.start("--json", "-i", "0", "--backend", backend, nothing)) {
            killed.awaitStart(STARTUP);
            killedPid = killed.pid();
            if (backend.equals("tracefs")) {
                assertThat(KernelTruth.proctapInstancesOf(killedPid)).as("instances of the running proctap %d",
                        killedPid).contains("proctap-" + killedPid);
            }
            killed.signal(Proctap.SIGKILL);
            assertThat(killed.waitFor(EXIT)).as("exit status after kill -9").isEqualTo(128 + 9);
        }
        if (backend.equals("tracefs")) {
            // (BPF programs, links and maps die with the process's fds: nothing is left there.)
            assertThat(KernelTruth.proctapInstancesOf(killedPid)).as("instances left by the killed proctap %d",
                    killedPid).contains("proctap-" + killedPid);
        }

        try (Proctap next = Proctap.start("--json", "-i", "0", "--backend", backend, nothing)) {
            next.awaitStart(STARTUP);
            assertThat(KernelTruth.proctapInstancesOf(killedPid))
                    .as("instances of the killed proctap %d once the next one is tracing", killedPid).isEmpty();
            next.signal(Proctap.SIGTERM);
            assertThat(next.waitFor(EXIT)).as("exit status after SIGTERM").isEqualTo(0);
        }
        // None at all, except those of a proctap that is running right now (someone else's, on a
        // shared machine): on CI that list is empty too.
        assertThat(KernelTruth.staleProctapInstances()).as("proctap-* instances of no running proctap, after both")
                .isEmpty();
    }
}
