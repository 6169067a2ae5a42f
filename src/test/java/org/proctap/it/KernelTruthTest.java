package org.proctap.it;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ground-truth readers, on literals and on this machine. */
class KernelTruthTest {

    @Test
    void parsesContextSwitchesAndMigrations() {
        String status = "Name:\tptsched\nState:\tS (sleeping)\nvoluntary_ctxt_switches:\t152\n"
                + "nonvoluntary_ctxt_switches:\t7\n";
        assertThat(KernelTruth.parseSwitches(status)).isEqualTo(new KernelTruth.Switches(152, 7));
        assertThatThrownBy(() -> KernelTruth.parseSwitches("Name:\tx\n")).isInstanceOf(IllegalArgumentException.class);
        // as Linux 6.18 prints it (kernel/sched/debug.c proc_sched_show_task)
        String sched = "ptsched (1234, #threads: 7)\n-------------------------------------------------------------------\n"
                + "se.exec_start                                :       1234567.890123\n"
                + "se.nr_migrations                             :                   41\n"
                + "nr_switches                                  :                  300\n";
        assertThat(KernelTruth.parseMigrations(sched)).isEqualTo(41);
        assertThatThrownBy(() -> KernelTruth.parseMigrations("nr_switches : 3\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesTheLastCpuPastACommWithSpacesAndParentheses() {
        // as Linux 6.18 prints /proc/PID/task/TID/stat (fs/proc/array.c do_task_stat)
        String stat = "4242 (a) b (c) S 4241 4242 4241 34816 4242 4194560 114 0 0 0 0 0 0 0 20 0 1 0 "
                + "31337 2428928 256 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
        assertThat(KernelTruth.parseLastCpu(stat)).isEqualTo(1);
    }

    @Test
    void parsesSoftirqsAndDeviceIrqs() {
        // as Linux 6.18 prints them (kernel/softirq.c show_softirqs, kernel/irq/proc.c show_interrupts)
        String softirqs = """
                                    CPU0       CPU1      \s
                          HI:          0          0
                       TIMER:      15736      23257
                      NET_RX:     321449    1953202
                         RCU:      25446      32694
                """;
        var soft = InterruptCounts.parseSoftirqs(softirqs);
        assertThat(soft.keySet()).containsExactly("HI", "TIMER", "NET_RX", "RCU");
        assertThat(soft.get("NET_RX")).containsExactly(321449, 1953202);
        String interrupts = """
                           CPU0       CPU1      \s
                 24:          1          0  IO-APIC   5-edge      ACPI:Ged
                 36:          0     119578 PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0
                 41:       2162          0 PCI-MSIX-0000:00:04.0   1-edge      virtio3-rx
                NMI:          0          0   Non-maskable interrupts
                LOC:     362941     374842   Local timer interrupts
                ERR:          0
                """;
        assertThat(InterruptCounts.parseDeviceIrqs(interrupts)).containsExactly(2163, 119578);
        InterruptCounts later = new InterruptCounts(java.util.Map.of("NET_RX", new long[] {321450, 1953302}),
                new long[] {2170, 119578});
        InterruptCounts d = later.minus(new InterruptCounts(soft, new long[] {2163, 119578}));
        assertThat(d.softirq("NET_RX", 1)).isEqualTo(100);
        assertThat(d.softirq("HI", 0)).isZero();
        assertThat(d.deviceIrqs(0)).isEqualTo(7);
    }

    @Test
    void parsesSchedstat() {
        assertThat(KernelTruth.parseSchedstat("838407 12 3\n")).isEqualTo(new KernelTruth.SchedStat(838407, 12, 3));
        assertThatThrownBy(() -> KernelTruth.parseSchedstat("1 2")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsTheSchedstatOfARunningTask() {
        long pid = ProcessHandle.current().pid();
        KernelTruth.SchedStat a = KernelTruth.schedstat(pid, pid);
        long spin = System.nanoTime() + 20_000_000L;
        while (System.nanoTime() < spin) {
            Thread.onSpinWait();
        }
        KernelTruth.SchedStat b = KernelTruth.schedstat(pid, pid);
        assertThat(a.oncpuNs()).isPositive();
        assertThat(a.pcount()).isPositive();
        assertThat(b.oncpuNs()).isGreaterThanOrEqualTo(a.oncpuNs());
        assertThat(b.pcount()).isGreaterThanOrEqualTo(a.pcount());
    }

    @Test
    void parsesTheLocRowByCpuNumber() {
        String text = """
                           CPU0       CPU1       CPU3
                  0:         45          0          0   IO-APIC   2-edge      timer
                NMI:          0          0          0   Non-maskable interrupts
                LOC:     137543     140571          9   Local timer interrupts
                SPU:          0          0          0   Spurious interrupts
                """;
        assertThat(KernelTruth.parseLocalTimerInterrupts(text)).containsExactly(137543, 140571, 0, 9);
        assertThatThrownBy(() -> KernelTruth.parseLocalTimerInterrupts("           CPU0\nNMI: 0 x\n"))
                .hasMessageContaining("LOC");
    }

    @Test
    void readsLocalTimerInterruptsOfThisMachine() {
        long[] before = KernelTruth.localTimerInterrupts();
        assertThat(before).hasSizeGreaterThanOrEqualTo(Runtime.getRuntime().availableProcessors());
        long spin = System.nanoTime() + 100_000_000L; // 100 ms busy: at least one tick somewhere
        while (System.nanoTime() < spin) {
            Thread.onSpinWait();
        }
        long[] after = KernelTruth.localTimerInterrupts();
        long sumBefore = 0;
        long sumAfter = 0;
        for (int cpu = 0; cpu < before.length; cpu++) {
            assertThat(after[cpu]).as("CPU %d", cpu).isGreaterThanOrEqualTo(before[cpu]);
            sumBefore += before[cpu];
            sumAfter += after[cpu];
        }
        assertThat(sumAfter).isGreaterThan(sumBefore);
    }

    @Test
    void parsesCpuTimes() {
        String stat = """
                cpu  100 0 50 1000 5 1 2 3 0 0
                cpu0 60 0 30 500 2 1 1 2 0 0
                cpu1 40 0 20 500 3 0 1 1 7 0
                intr 12345
                """;
        assertThat(KernelTruth.parseCpuTime(stat, 1)).isEqualTo(new KernelTruth.CpuTime((40 + 20 + 500 + 3 + 1 + 1) * 10,
                (500 + 3) * 10));
        assertThat(KernelTruth.cpuTime(0).totalMs()).isPositive();
    }

    @Test
    void parsesTheStealOfEveryCpu() {
        String stat = """
                cpu  100 0 50 1000 5 1 2 3 0 0
                cpu0 60 0 30 500 2 1 1 2 0 0
                """;
        assertThat(KernelTruth.parseStealMs(stat)).isEqualTo(30);
        assertThat(KernelTruth.stealMs()).isNotNegative();
    }

    @Test
    void parsesTheEffectiveUid() {
        assertThat(KernelTruth.parseEffectiveUid("Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\n")).isZero();
        assertThat(KernelTruth.parseEffectiveUid("Uid:\t0\t65534\t65534\t65534\n")).isEqualTo(65534);
    }

    @Test
    void tellsIgnoredSignals() {
        // The test JVM handles SIGTERM itself (shutdown hooks): caught, not ignored.
        assertThat(KernelTruth.ignoresSignal(ProcessHandle.current().pid(), 15)).isFalse();
    }

    @Test
    void picksProctapInstanceNames() {
        List<String> names = List.of("proctap-12", "proctap-12-life", "proctap-123", "proctapx-1", "foo",
                "proctap-", "proctap-abc", "my-proctap-1");
        assertThat(KernelTruth.proctapNames(names)).containsExactly("proctap-12", "proctap-12-life", "proctap-123");
        assertThat(KernelTruth.instancesOf(KernelTruth.proctapNames(names), 12))
                .containsExactly("proctap-12", "proctap-12-life");
    }

    @Test
    void tellsWhichProctapAnInstanceBelongsTo() {
        assertThat(KernelTruth.pidOf("proctap-123")).isEqualTo(123);
        assertThat(KernelTruth.pidOf("proctap-123-life")).isEqualTo(123);
        assertThat(KernelTruth.isRunningProctap(Integer.MAX_VALUE)).as("no such pid").isFalse();
        assertThat(KernelTruth.isRunningProctap(1)).as("init is no proctap").isFalse();
    }

    /** The integration tests need root and tracefs; this fails (never skips) without them. */
    @Test
    void findsTracefsAndListsInstances() {
        KernelTruth.requireRoot();
        assertThat(KernelTruth.ensureTracefs()).isDirectory();
        assertThat(KernelTruth.ensureTracefs().resolve("instances")).isDirectory();
        assertThat(KernelTruth.proctapInstances()).allMatch(n -> n.startsWith("proctap-"));
        assertThat(KernelTruth.proctapInstances()).containsAll(KernelTruth.staleProctapInstances());
    }
}
