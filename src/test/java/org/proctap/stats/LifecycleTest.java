package org.proctap.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.proctap.event.ProcessExec;
import org.proctap.event.ProcessExit;
import org.proctap.event.ProcessFork;
import org.proctap.event.SignalDeliver;
import org.proctap.event.SignalGenerate;
import org.proctap.event.SyscallEnter;
import org.proctap.event.SyscallEnter.Syscall;
import org.proctap.event.TaskNew;
import org.proctap.event.TaskRename;
import org.proctap.model.NameMatcher;
import org.proctap.model.TargetSpec;
import org.proctap.model.TaskRegistry;
import org.proctap.report.ExecReport;
import org.proctap.report.ExitReport;
import org.proctap.report.ExitStatus;
import org.proctap.report.ForkReport;
import org.proctap.report.Report;

class LifecycleTest {
    private final List<Report> reports = new ArrayList<>();
    private final List<Integer> filtered = new ArrayList<>();
    private long ts = 1000;

    private Harness harness(TargetSpec spec) {
        TaskRegistry registry = new TaskRegistry(spec);
        SchedAccounting acct = new SchedAccounting(registry, 2, 0);
        Lifecycle.KernelFilter filter = new Lifecycle.KernelFilter() {
            @Override
            public void watch(int tid, String comm, Why why) {
                if (why == Why.EXEC) {
                    filtered.add(tid);
                }
            }

            @Override
            public void forget(int tid) {
            }
        };
        Lifecycle life = new Lifecycle(registry, acct, reports::add, filter, true);
        return new Harness(registry, new EventProcessor(acct, life));
    }

    private record Harness(TaskRegistry registry, EventProcessor events) {
    }

    private Harness watchingStress() {
        Harness h = harness(TargetSpec.byName(NameMatcher.of("stress", false, false), false));
        var p = h.registry().addProcess(10, "stress", false);
        h.registry().addTask(p, 10, "stress");
        return h;
    }

    private void fork(Harness h, int parent, int child, String comm, Syscall syscall, long flags) {
        h.events().accept(new SyscallEnter(ts++, 0, parent, syscall, flags));
        h.events().accept(new TaskNew(ts++, 0, parent, child, comm, flags, 0));
        h.events().accept(new ProcessFork(ts++, 0, parent, comm, parent, comm, child));
    }

    @Test
    void forkCloneAndVforkAreNamedAndThreadsBelongToTheProcess() {
        Harness h = watchingStress();
        fork(h, 10, 11, "stress", Syscall.CLONE3, 0x003d0f00L);   // pthread_create
        fork(h, 10, 12, "stress", Syscall.CLONE, 0x01200011L);    // fork()
        fork(h, 10, 13, "stress", Syscall.CLONE3, 0x4111L);       // posix_spawn
        assertThat(reports).hasSize(3).allMatch(r -> r instanceof ForkReport);
        ForkReport thread = (ForkReport) reports.get(0);
        assertThat(thread.kind()).isEqualTo("clone");
        assertThat(thread.thread()).isTrue();
        assertThat(thread.childTgid()).isEqualTo(10);
        assertThat(thread.syscall()).isEqualTo("clone3");
        ForkReport child = (ForkReport) reports.get(1);
        assertThat(child.kind()).isEqualTo("fork");
        assertThat(child.thread()).isFalse();
        assertThat(child.childTgid()).isEqualTo(12);
        assertThat(((ForkReport) reports.get(2)).kind()).isEqualTo("vfork");
        assertThat(h.registry().watched(11)).isTrue();
        assertThat(h.registry().watched(12)).as("same name as its parent").isTrue();
    }

    @Test
    void renamedJavaThreadsStillBelong() {
        Harness h = watchingStress();
        fork(h, 10, 11, "stress", Syscall.CLONE3, 0x003d0f00L);
        h.events().accept(new TaskRename(ts++, 1, 11, 11, "stress", "GC Thread#0", 0));
        assertThat(h.registry().watched(11)).isTrue();
        assertThat(h.registry().task(11).comm).isEqualTo("GC Thread#0");
    }

    @Test
    void execIntoAWatchedNameStartsWatchingAndAddsTheKernelFilter() {
        Harness h = watchingStress();
        h.events().accept(new SyscallEnter(ts++, 1, 50, Syscall.EXECVE, 0));
        h.events().accept(new TaskRename(ts++, 1, 50, 50, "bash", "stress", 0));
        h.events().accept(new ProcessExec(ts++, 1, 50, "./stress", 50, 50));
        assertThat(reports).singleElement().isInstanceOfSatisfying(ExecReport.class, e -> {
            assertThat(e.pid()).isEqualTo(50);
            assertThat(e.filename()).isEqualTo("./stress");
            assertThat(e.syscall()).isEqualTo("execve");
            assertThat(e.comm()).isEqualTo("stress");
        });
        assertThat(filtered).containsExactly(50);
        assertThat(h.registry().watched(50)).isTrue();
    }

    @Test
    void execByAWatchedProcessIsReportedEvenWhenItLeavesTheName() {
        Harness h = watchingStress();
        h.events().accept(new SyscallEnter(ts++, 0, 10, Syscall.EXECVEAT, 0));
        h.events().accept(new ProcessExec(ts++, 0, 10, "/usr/bin/true", 10, 10));
        assertThat(reports).singleElement().isInstanceOfSatisfying(ExecReport.class,
                e -> assertThat(e.syscall()).isEqualTo("execveat"));
        assertThat(h.registry().watched(10)).isFalse();
    }

    @Test
    void unrelatedExecIsIgnored() {
        Harness h = watchingStress();
        h.events().accept(new ProcessExec(ts++, 0, 77, "/usr/bin/ls", 77, 77));
        assertThat(reports).isEmpty();
        assertThat(h.registry().task(77)).isNull();
    }

    @Test
    void exitGroupGivesTheCode() {
        Harness h = watchingStress();
        h.events().accept(new SyscallEnter(ts++, 0, 10, Syscall.EXIT_GROUP, 3));
        h.events().accept(new ProcessExit(ts++, 0, 10, "stress", 10, 120, true));
        assertThat(reports).singleElement().isInstanceOfSatisfying(ExitReport.class,
                x -> assertThat(x.status()).isEqualTo(ExitStatus.exited(3)));
    }

    @Test
    void defaultFatalSignalShowsUpAsSigkillButIsReportedAsItself() {
        Harness h = watchingStress();
        fork(h, 10, 11, "stress", Syscall.CLONE3, 0x003d0f00L);
        h.events().accept(new SignalGenerate(ts++, 1, 99, 15, 0, 0, "stress", 10, true, 0));
        h.events().accept(new SignalDeliver(ts++, 0, 11, 9, 0, 0, 0, 0));
        h.events().accept(new SignalDeliver(ts++, 1, 10, 9, 0, 0, 0, 0));
        h.events().accept(new ProcessExit(ts++, 0, 11, "stress", 11, 120, false));
        h.events().accept(new ProcessExit(ts++, 1, 10, "stress", 10, 120, true));
        assertThat(reports.getLast()).isInstanceOfSatisfying(ExitReport.class,
                x -> assertThat(x.status()).isEqualTo(ExitStatus.killed(15)));
    }

    @Test
    void caughtSignalIsNotFatal() {
        Harness h = watchingStress();
        h.events().accept(new SignalGenerate(ts++, 1, 99, 15, 0, 0, "stress", 10, false, 0));
        h.events().accept(new SignalDeliver(ts++, 0, 10, 15, 0, 0, 0x401234, 0));
        h.events().accept(new SyscallEnter(ts++, 0, 10, Syscall.EXIT_GROUP, 0));
        h.events().accept(new ProcessExit(ts++, 0, 10, "stress", 10, 120, true));
        assertThat(((ExitReport) reports.getLast()).status()).isEqualTo(ExitStatus.exited(0));
    }

    @Test
    void crashIsTheSignalThatWasDelivered() {
        Harness h = watchingStress();
        h.events().accept(new SignalGenerate(ts++, 0, 10, 11, 0, 1, "stress", 10, false, 0));
        h.events().accept(new SignalDeliver(ts++, 0, 10, 11, 0, 1, 0, 0));
        h.events().accept(new ProcessExit(ts++, 0, 10, "stress", 10, 120, true));
        assertThat(((ExitReport) reports.getLast()).status()).isEqualTo(ExitStatus.killed(11));
    }

    @Test
    void followWatchesChildrenWhateverTheirName() {
        Harness h = harness(TargetSpec.byName(NameMatcher.of("make", true, false), true));
        var p = h.registry().addProcess(10, "make", false);
        h.registry().addTask(p, 10, "make");
        fork(h, 10, 20, "make", Syscall.CLONE, 0x01200011L);
        h.events().accept(new ProcessExec(ts++, 0, 20, "/usr/bin/cc", 20, 20));
        assertThat(h.registry().watched(20)).isTrue();
        fork(h, 20, 21, "cc", Syscall.CLONE, 0x01200011L);
        assertThat(h.registry().watched(21)).isTrue();
    }

    @Test
    void withoutFollowAChildThatExecsElsewhereIsDropped() {
        Harness h = watchingStress();
        fork(h, 10, 20, "stress", Syscall.CLONE, 0x01200011L);
        h.events().accept(new ProcessExec(ts++, 0, 20, "/usr/bin/cc", 20, 20));
        assertThat(h.registry().watched(20)).isFalse();
        fork(h, 20, 21, "cc", Syscall.CLONE, 0x01200011L);
        assertThat(reports.getLast()).isInstanceOf(ExecReport.class);
    }
}
