package org.proctap.sys;

/** Linux x86-64 signal numbers and names (signal(7)). */
public final class Signals {
    private static final String[] NAMES = {
        null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
        "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
        "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    };

    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGKILL = 9;
    public static final int SIGPIPE = 13;
    public static final int SIGTERM = 15;
    public static final int SIGSTOP = 19;
    public static final int SIGCONT = 18;

    private Signals() {
    }

    /**
     * Ends the process by {@code signal} at its default action, so that the parent's wait() sees
     * it (a shell prints 128 + signal). Falls back to exiting with that status should the signal
     * not end the process.
     */
    public static void dieOf(int signal) {
        Libc.resetToDefault(signal);
        Libc.kill(ProcessHandle.current().pid(), signal);
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(128 + signal);
    }

    public static String name(int signal) {
        if (signal > 0 && signal < NAMES.length) {
            return NAMES[signal];
        }
        if (signal >= 34 && signal <= 64) {
            return "SIGRTMIN+" + (signal - 34);
        }
        return "SIG" + signal;
    }

    /**
     * True when the default action of {@code signal} ends the process (terminate or core dump),
     * i.e. everything but SIGCHLD, SIGCONT, SIGURG, SIGWINCH (ignored) and the stop signals
     * (kernel/signal.c, SIG_KERNEL_IGNORE_MASK / SIG_KERNEL_STOP_MASK).
     */
    public static boolean fatalByDefault(int signal) {
        return switch (signal) {
            case 17, 18, 23, 28, 19, 20, 21, 22 -> false;
            default -> signal > 0 && signal <= 64;
        };
    }
}
