package org.proctap.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.proctap.metric.Metric;
import org.proctap.model.NameMatcher;
import org.proctap.model.Proc;
import org.proctap.model.TargetSpec;
import org.proctap.model.TaskRegistry;
import org.proctap.report.CounterSnapshot;
import org.proctap.report.CpuTaskCounters;

/** irq and softirq time from irq_handler_entry/exit and softirq_entry/exit (see Interrupts). */
class InterruptAccountingTest {
    private static final long US = 1_000;
    private static final long SLEEPING = 1;
    /** softirq vectors, include/linux/interrupt.h */
    private static final int TIMER = 1;
    private static final int NET_RX = 3;
    private static final int RCU = 9;
    private static final int KSOFTIRQD = 15;

    private SchedAccounting acct;

    @BeforeEach
    void setUp() {
        TaskRegistry registry = new TaskRegistry(TargetSpec.byName(NameMatcher.of("work", false, false), false));
        Proc p = registry.addProcess(100, "work", false);
        registry.addTask(p, 100, "work");
        Proc other = registry.addProcess(200, "bash", false);
        registry.addTask(other, 200, "bash");
        acct = new SchedAccounting(registry, 2, 0);
        acct.onSwitch(1 * US, 0, 0, 100, SLEEPING); // work runs on CPU 0
        acct.onSwitch(1 * US, 1, 0, 200, SLEEPING); // bash on CPU 1
    }

    private CpuTaskCounters row(int cpu, int tid) {
        CounterSnapshot s = acct.snapshot(1000 * US, false, new long[2]);
        return s.counters().stream().filter(r -> r.cpu() == cpu && r.tid() == tid).findFirst().orElse(null);
    }

    private static long kind(CpuTaskCounters r, Metric m, int vec) {
        return r.values()[m.slot + vec];
    }

    @Test
    void aHardIrqIsChargedToTheWatchedTaskItInterrupted() {
        acct.onIrqEntry(10 * US, 0, 100);
        acct.onIrqExit(13 * US, 0, 100);
        acct.onIrqEntry(20 * US, 0, 100);
        acct.onIrqExit(21 * US, 0, 100);
        CpuTaskCounters r = row(0, 100);
        assertThat(r.get(Metric.IRQ_COUNT)).isEqualTo(2);
        assertThat(r.get(Metric.IRQ_NS)).isEqualTo(4 * US);
        assertThat(r.get(Metric.SOFTIRQ_COUNT)).isZero();
    }

    @Test
    void aSoftirqsTimeExcludesTheHardAndTimerInterruptsInsideIt() {
        acct.onSoftirqEntry(10 * US, 0, 100, NET_RX);
        acct.onIrqEntry(12 * US, 0, 100);           // a device interrupt inside the softirq: 2 us
        acct.onIrqExit(14 * US, 0, 100);
        acct.onTimerEntry(15 * US, 0, 100);          // the tick inside it: 1 us
        acct.onTimerExit(16 * US, 0, 100);
        acct.onSoftirqExit(20 * US, 0, 100, NET_RX); // 10 us in all, 7 its own
        acct.onSoftirqEntry(30 * US, 0, 100, RCU);   // the next one starts from nothing nested
        acct.onSoftirqExit(35 * US, 0, 100, RCU);
        CpuTaskCounters r = row(0, 100);
        assertThat(r.get(Metric.IRQ_NS)).isEqualTo(2 * US);
        assertThat(r.get(Metric.TIMER_NS)).isEqualTo(1 * US);
        assertThat(r.get(Metric.SOFTIRQ_NS)).isEqualTo(12 * US);
        assertThat(r.get(Metric.SOFTIRQ_COUNT)).isEqualTo(2);
        assertThat(kind(r, Metric.SOFTIRQ_NS_BY_KIND, NET_RX)).isEqualTo(7 * US);
        assertThat(kind(r, Metric.SOFTIRQ_NS_BY_KIND, RCU)).isEqualTo(5 * US);
        assertThat(kind(r, Metric.SOFTIRQ_COUNT_BY_KIND, NET_RX)).isEqualTo(1);
        assertThat(kind(r, Metric.SOFTIRQ_COUNT_BY_KIND, RCU)).isEqualTo(1);
        assertThat(kind(r, Metric.SOFTIRQ_COUNT_BY_KIND, TIMER)).isZero();
    }

    @Test
    void interruptsOfATaskThatIsNotWatchedCountNowhere() {
        acct.onIrqEntry(10 * US, 1, 200);
        acct.onIrqExit(12 * US, 1, 200);
        acct.onSoftirqEntry(13 * US, 1, 200, NET_RX);
        acct.onSoftirqExit(15 * US, 1, 200, NET_RX);
        acct.onSoftirqEntry(20 * US, 1, KSOFTIRQD, TIMER); // ksoftirqd: not known, not watched
        acct.onSoftirqExit(22 * US, 1, KSOFTIRQD, TIMER);
        assertThat(row(1, 200)).isNull();
        assertThat(row(1, KSOFTIRQD)).isNull();
        assertThat(row(0, 100).get(Metric.SOFTIRQ_COUNT)).as("and none on the watched task's CPU").isZero();
    }

    @Test
    void aMissedExitChargesNothingAndTheNextEntryStartsAfresh() {
        acct.onSoftirqEntry(10 * US, 0, 100, NET_RX); // its exit is never seen
        acct.onSoftirqEntry(50 * US, 0, 100, TIMER);
        acct.onSoftirqExit(52 * US, 0, 100, TIMER);
        acct.onIrqEntry(60 * US, 0, 100);             // its exit is never seen either
        acct.onIrqEntry(70 * US, 0, 100);
        acct.onIrqExit(71 * US, 0, 100);
        CpuTaskCounters r = row(0, 100);
        assertThat(r.get(Metric.SOFTIRQ_NS)).isEqualTo(2 * US);
        assertThat(r.get(Metric.SOFTIRQ_COUNT)).isEqualTo(1);
        assertThat(kind(r, Metric.SOFTIRQ_COUNT_BY_KIND, NET_RX)).isZero();
        assertThat(r.get(Metric.IRQ_NS)).isEqualTo(1 * US);
        assertThat(r.get(Metric.IRQ_COUNT)).isEqualTo(1);
    }

    @Test
    void anExitWithoutItsEntryOrAcrossASwitchOrALossCountsNothing() {
        acct.onSoftirqExit(5 * US, 0, 100, NET_RX);   // entry before the trace began
        acct.onIrqExit(6 * US, 0, 100);
        acct.onSoftirqEntry(10 * US, 0, 100, NET_RX);
        acct.onSwitch(20 * US, 0, 100, 200, SLEEPING); // no interrupt spans a switch: exit missed
        acct.onSwitch(30 * US, 0, 200, 100, SLEEPING);
        acct.onSoftirqExit(31 * US, 0, 100, NET_RX);
        acct.onIrqEntry(40 * US, 0, 100);
        acct.onLost(45 * US, 0);                      // the exit may be among the lost events
        acct.onIrqExit(46 * US, 0, 100);
        acct.onSoftirqEntry(50 * US, 0, 100, NET_RX); // an exit of another vector does not close it
        acct.onSoftirqExit(51 * US, 0, 100, RCU);
        CpuTaskCounters r = row(0, 100);
        assertThat(r.get(Metric.SOFTIRQ_COUNT)).isZero();
        assertThat(r.get(Metric.SOFTIRQ_NS)).isZero();
        assertThat(r.get(Metric.IRQ_COUNT)).isZero();
        assertThat(r.get(Metric.IRQ_NS)).isZero();
    }

    @Test
    void anInterruptOfAWatchedTaskOnAnotherCpuGoesToThatCpu() {
        acct.onSwitch(100 * US, 1, 200, 100, SLEEPING); // work moves to CPU 1... (CPU 0 idle)
        acct.onSoftirqEntry(110 * US, 1, 100, NET_RX);
        acct.onSoftirqExit(113 * US, 1, 100, NET_RX);
        assertThat(row(1, 100).get(Metric.SOFTIRQ_NS)).isEqualTo(3 * US);
        assertThat(row(0, 100).get(Metric.SOFTIRQ_NS)).isZero();
    }
}
