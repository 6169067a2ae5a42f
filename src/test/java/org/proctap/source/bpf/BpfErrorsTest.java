package org.proctap.source.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the user sees when libbpf is missing, the verifier says no, or an attach point is absent. */
class BpfErrorsTest {
    @TempDir
    Path tmp;

    @AfterEach
    void restoreProperty() {
        System.clearProperty(Libbpf.LIBRARY_PROPERTY);
    }

    @Test
    void missingLibraryIsATypedOneLineError() throws Exception {
        System.setProperty(Libbpf.LIBRARY_PROPERTY, "/nonexistent/libbpf.so.1");
        BpfUnavailableException e = catchThrowableOfType(BpfUnavailableException.class, Libbpf::get);
        assertThat(e.getMessage())
                .isEqualTo("libbpf not found at /nonexistent/libbpf.so.1 (check -Dproctap.libbpf)");

        System.setProperty(Libbpf.LIBRARY_PROPERTY, tmp.toString()); // a directory without libbpf.so.1
        e = catchThrowableOfType(BpfUnavailableException.class, Libbpf::get);
        assertThat(e.getMessage()).isEqualTo("libbpf.so.1 not found in " + tmp + " (check -Dproctap.libbpf)");

        Path bogus = Files.writeString(tmp.resolve("libbpf.so.1"), "not a library");
        e = catchThrowableOfType(BpfUnavailableException.class, Libbpf::get);
        assertThat(e.getMessage())
                .isEqualTo(bogus + " is not a shared library (check -Dproctap.libbpf)");

        // a real library that is not libbpf
        System.setProperty(Libbpf.LIBRARY_PROPERTY, "/lib/x86_64-linux-gnu/libc.so.6");
        if (Files.exists(Path.of("/lib/x86_64-linux-gnu/libc.so.6"))) {
            e = catchThrowableOfType(BpfUnavailableException.class, Libbpf::get);
            assertThat(e.getMessage()).contains("has no libbpf_major_version").doesNotContain("\n");
        }
    }

    @Test
    void verifierRejectionNamesTheCallTheErrnoAndCarriesTheLog() throws Exception {
        Libbpf lib = BpfTestSupport.requireBpf();
        try (BpfObject obj = BpfTestSupport.open(lib, "bad_verifier.bpf.o")) {
            LibbpfException e = catchThrowableOfType(LibbpfException.class, obj::load);
            assertThat(e.function()).isEqualTo("bpf_object__load");
            assertThat(e.errno()).isEqualTo(13);
            assertThat(e.headline()).isEqualTo("bpf_object__load: EACCES (13): the kernel rejected program"
                    + " 'missing_null_check' (verifier log below)");
            assertThat(e.getMessage()).startsWith(e.headline() + "\nlibbpf log (last ");
            assertThat(e.logTail()).anyMatch(l -> l.contains("invalid mem access 'map_value_or_null'"));
            // a failed object cannot be loaded again
            assertThatThrownBy(obj::load).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void missingTracepointSaysSo() throws Exception {
        Libbpf lib = BpfTestSupport.requireBpf();
        try (BpfObject obj = BpfTestSupport.open(lib, "bad_attach.bpf.o")) {
            obj.load();
            LibbpfException e = catchThrowableOfType(LibbpfException.class, () -> obj.attach("tp_missing"));
            assertThat(e.headline()).isEqualTo("bpf_program__attach: ENOENT (2): program 'tp_missing'"
                    + " (tracepoint/sched/proctap_no_such_event): tracepoint sched:proctap_no_such_event"
                    + " does not exist on this kernel (see /sys/kernel/tracing/available_events)");
            assertThat(e.logTail()).anyMatch(l -> l.contains("failed to determine tracepoint"));

            e = catchThrowableOfType(LibbpfException.class, () -> obj.attach("raw_missing"));
            assertThat(e.function()).isEqualTo("bpf_program__attach");
            assertThat(e.errno()).isEqualTo(2);
            assertThat(e.headline()).endsWith("raw tracepoint proctap_no_such_event does not exist on this kernel");

            // attachAll fails on the first and leaves no link behind
            assertThatThrownBy(obj::attachAll).isInstanceOf(LibbpfException.class);
            assertThat(BpfTestSupport.bpfFds()).noneMatch(fd -> fd.contains("bpf_link"));
        }
    }

    @Test
    void garbageIsNotAnObject() throws Exception {
        Libbpf lib = BpfTestSupport.requireBpf();
        LibbpfException e = catchThrowableOfType(LibbpfException.class,
                () -> BpfObject.open(lib, "garbage", new byte[] {1, 2, 3, 4}));
        assertThat(e.function()).isEqualTo("bpf_object__open_mem");
        assertThat(e.headline()).contains("object 'garbage': not a valid BPF object");
    }

    @Test
    void misuseIsRefusedBeforeReachingNativeCode() throws Exception {
        Libbpf lib = BpfTestSupport.requireBpf();
        try (BpfObject obj = BpfTestSupport.open(lib, "probe_test.bpf.o")) {
            assertThatThrownBy(() -> obj.map("switch_by_tid").fd()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("call load() first");
            assertThatThrownBy(obj::attachAll).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> obj.rodata().setInt("cookie", 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is 8 bytes, not 4");
            assertThatThrownBy(() -> obj.rodata().setInt("nope", 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no variable 'nope'");
            assertThatThrownBy(() -> obj.map("nope")).isInstanceOf(IllegalArgumentException.class);
            obj.load();
            assertThatThrownBy(() -> RingBuffer.open(obj.map("switch_by_tid"), r -> { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a ring buffer");
            assertThatThrownBy(() -> obj.map("switch_by_tid").lookup(new byte[3]))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
