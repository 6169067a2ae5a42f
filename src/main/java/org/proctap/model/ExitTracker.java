package org.proctap.model;

import org.proctap.report.ExitStatus;
import org.proctap.sys.Signals;

/**
 * Works out how a process ended from tracepoints alone, for sources that cannot read the task's
 * exit_code (tracefs: sched_process_exit carries none). The kernel's own rule (kernel/exit.c,
 * wait_task_zombie) is: the group exit code if the process exited as a group (exit_group, or a
 * fatal signal), else the main thread's own exit code. The evidence:
 * <ul>
 * <li>{@code exit_group(code)}: the group exit code, unless a fatal signal got there first.</li>
 * <li>{@code signal_deliver(sig)} with SIG_DFL and a fatal default action: killed by sig. A fatal
 * signal with no handler never reaches signal_deliver as itself: complete_signal() turns it into a
 * group exit with group_exit_code = sig and sends every thread SIGKILL, so a SIGKILL delivery
 * after a {@code signal_generate} of another fatal signal means that other signal.</li>
 * <li>{@code exit(code)} of the main thread (or of the last thread) when there was no group exit.</li>
 * </ul>
 * Whether a core was dumped is not visible here.
 */
public final class ExitTracker {
    private ExitTracker() {
    }

    /** exit or exit_group entered by task {@code t}. */
    public static void onExitSyscall(Task t, boolean group, int code) {
        Proc p = t.proc;
        if (group) {
            if (p.decidedWaitStatus == null) {
                p.decidedWaitStatus = (code & 0xff) << 8;
            }
        } else if (t.tid == p.tgid) {
            p.leaderExitCode = code & 0xff;
        } else if (p.leaderExitCode == null && p.liveTasks <= 1) {
            p.leaderExitCode = code & 0xff;
        }
    }

    /** A signal was queued for task {@code target} ({@code result} 0 = delivered). */
    public static void onSignalGenerate(Task target, int sig, int result) {
        Proc p = target.proc;
        if (result == 0 && p.decidedWaitStatus == null && sig != Signals.SIGKILL && Signals.fatalByDefault(sig)) {
            p.pendingFatalSignal = sig;
        }
    }

    /** Task {@code t} takes signal {@code sig}; {@code saHandler} 0 = SIG_DFL. */
    public static void onSignalDeliver(Task t, int sig, long saHandler) {
        Proc p = t.proc;
        if (saHandler != 0) {
            if (sig == p.pendingFatalSignal) {
                p.pendingFatalSignal = 0; // caught: not fatal
            }
            return;
        }
        if (!Signals.fatalByDefault(sig) || p.decidedWaitStatus != null) {
            return;
        }
        int actual = sig == Signals.SIGKILL && p.pendingFatalSignal != 0 ? p.pendingFatalSignal : sig;
        p.decidedWaitStatus = actual;
    }

    /** exec replaces the program: earlier evidence (and de_thread's SIGKILLs) no longer applies. */
    static void onExec(Proc p) {
        p.decidedWaitStatus = null;
        p.pendingFatalSignal = 0;
        p.leaderExitCode = null;
    }

    /** The status when the last thread of {@code p} exits. */
    public static ExitStatus statusAtGroupDeath(Proc p) {
        if (p.decidedWaitStatus != null) {
            return ExitStatus.fromWaitStatus(p.decidedWaitStatus);
        }
        if (p.leaderExitCode != null) {
            return ExitStatus.exited(p.leaderExitCode);
        }
        return ExitStatus.UNKNOWN;
    }
}
