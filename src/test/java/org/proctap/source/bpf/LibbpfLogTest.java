package org.proctap.source.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** libbpf's print callback reaches Java: levels, the debug switch, the sink. */
class LibbpfLogTest {
    private final List<LibbpfLog.Line> lines = new CopyOnWriteArrayList<>();

    @AfterEach
    void reset() {
        LibbpfLog.setSink(null);
        LibbpfLog.setDebug(Boolean.getBoolean(LibbpfLog.DEBUG_PROPERTY));
    }

    @Test
    void debugLinesOnlyWhenAskedFor() throws Exception {
        Libbpf lib = BpfTestSupport.requireBpf();
        LibbpfLog.setSink(lines::add);

        LibbpfLog.setDebug(false);
        try (BpfObject obj = BpfTestSupport.open(lib, "probe_test.bpf.o")) {
            obj.load();
        }
        assertThat(lines).noneMatch(l -> l.level() == LibbpfLog.Level.DEBUG);
        // A clean load on this kernel says nothing at WARN/INFO: in particular no
        // "Failed to bump RLIMIT_MEMLOCK" (libbpf 1.1 sees memcg accounting and skips the bump).
        assertThat(lines).isEmpty();

        LibbpfLog.setDebug(true);
        try (BpfObject obj = BpfTestSupport.open(lib, "probe_test.bpf.o")) {
            obj.load();
        }
        // formatted by vsnprintf from libbpf's format + va_list; the object name came from our opts
        assertThat(lines).anyMatch(l -> l.level() == LibbpfLog.Level.DEBUG
                && l.text().equals("libbpf: loading object 'probe_test' from buffer"));
        assertThat(lines).noneMatch(l -> l.text().contains("\n"));
    }

    @Test
    void warningsReachTheSinkAndTheException() throws Exception {
        Libbpf lib = BpfTestSupport.requireBpf();
        LibbpfLog.setSink(lines::add);
        try (BpfObject obj = BpfTestSupport.open(lib, "bad_verifier.bpf.o")) {
            LibbpfException e = org.assertj.core.api.Assertions.catchThrowableOfType(LibbpfException.class, obj::load);
            // the verifier log arrives as one multi-kilobyte message, split into lines here
            assertThat(lines).anyMatch(l -> l.level() == LibbpfLog.Level.WARN
                    && l.text().contains("-- BEGIN PROG LOAD LOG --"));
            assertThat(e.logTail()).hasSizeLessThanOrEqualTo(BpfObject.LOG_TAIL);
            assertThat(e.logTail().getLast()).contains("failed to load object 'bad_verifier'");
        }
    }
}
