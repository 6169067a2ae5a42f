package org.proctap.source.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Ring-buffer consumer rules: handler failures, threads, close from anywhere. */
class RingBufferTest {
    @Test
    void handlerExceptionStopsThePollAndIsRethrownNotFatal() throws Exception {
        Libbpf lib = BpfTestSupport.requireBpf();
        try (BpfObject obj = BpfTestSupport.open(lib, "probe_test.bpf.o")) {
            obj.rodata().setBoolean("emit_on_switch", true);
            obj.load();
            obj.attach("tp_sched_switch");
            RingBuffer ring = RingBuffer.open(obj.map("events"), r -> {
                throw new IllegalArgumentException("handler bug");
            });
            Thread.sleep(20);
            assertThatThrownBy(() -> ring.poll(100)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("handler bug");
            // still usable afterwards
            RingBuffer.Handler noop = r -> { };
            assertThat(ring.isOpen()).isTrue();
            ring.close();
            ring.close();
            assertThatThrownBy(ring::consume).isInstanceOf(IllegalStateException.class);
            try (RingBuffer again = RingBuffer.open(obj.map("events"), noop)) {
                Thread.sleep(20);
                assertThat(again.consume()).isPositive();
            }
        }
    }

    @Test
    void closeFromInsideTheHandlerTakesEffectAfterThePoll() throws Exception {
        Libbpf lib = BpfTestSupport.requireBpf();
        try (BpfObject obj = BpfTestSupport.open(lib, "probe_test.bpf.o")) {
            obj.rodata().setBoolean("emit_on_switch", true);
            obj.load();
            obj.attach("tp_sched_switch");
            AtomicReference<RingBuffer> self = new AtomicReference<>();
            RingBuffer ring = RingBuffer.open(obj.map("events"), r -> self.get().close());
            self.set(ring);
            Thread.sleep(20);
            assertThat(ring.poll(100)).isPositive();
            assertThat(ring.isOpen()).isFalse();
        }
    }

    @Test
    void virtualThreadsMayNotPoll() throws Exception {
        Libbpf lib = BpfTestSupport.requireBpf();
        try (BpfObject obj = BpfTestSupport.open(lib, "probe_test.bpf.o")) {
            obj.load();
            RingBuffer ring = RingBuffer.open(obj.map("events"), r -> { });
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread.ofVirtual().start(() -> {
                try {
                    ring.poll(0);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            }).join();
            assertThat(thrown.get()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("platform thread");
        }
    }

    @Test
    void closingTheObjectWaitsForAPollOnAnotherThread() throws Exception {
        Libbpf lib = BpfTestSupport.requireBpf();
        BpfObject obj = BpfTestSupport.open(lib, "probe_test.bpf.o");
        obj.load();
        RingBuffer ring = RingBuffer.open(obj.map("events"), r -> { });
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread poller = Thread.ofPlatform().start(() -> {
            try {
                while (true) {
                    ring.poll(50);
                }
            } catch (Throwable t) {
                thrown.set(t); // IllegalStateException "closed" once the object closed it
            }
        });
        Thread.sleep(30);
        obj.close();
        poller.join(2000);
        assertThat(poller.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(ring.isOpen()).isFalse();
    }
}
