package org.proctap.report;

import org.proctap.sys.Signals;

/**
 * How a process ended, as wait(2) would tell its parent: an exit code, or the signal that killed
 * it, or unknown (both null) when the source could not observe it.
 */
public record ExitStatus(Integer code, Integer signal) {
    public static final ExitStatus UNKNOWN = new ExitStatus(null, null);

    public static ExitStatus exited(int code) {
        return new ExitStatus(code & 0xff, null);
    }

    public static ExitStatus killed(int signal) {
        return new ExitStatus(null, signal);
    }

    /** From a raw wait status / task exit_code word: low 7 bits signal, bits 8..15 exit code. */
    public static ExitStatus fromWaitStatus(int status) {
        int sig = status & 0x7f;
        return sig == 0 ? exited((status >> 8) & 0xff) : killed(sig);
    }

    public boolean known() {
        return code != null || signal != null;
    }

    public String signalName() {
        return signal == null ? null : Signals.name(signal);
    }
}
