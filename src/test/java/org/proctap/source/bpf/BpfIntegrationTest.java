package org.proctap.source.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The whole life cycle against the real kernel with src/test/bpf/probe_test.bpf.c: open from
 * bytes, set .rodata, load, attach, read every kind of map, receive ring-buffer records for an
 * exec, close, and check that nothing of ours is left in the kernel.
 */
class BpfIntegrationTest {
    private static final long COOKIE = 0x1122_3344_5566_7788L;

    @Test
    void openLoadAttachReadAndCloseLeavesNothingBehind() throws Exception {
        Libbpf lib = BpfTestSupport.requireBpf();
        List<String> fdsBefore = BpfTestSupport.bpfFds();
        List<Integer> progIds = new ArrayList<>();

        BpfObject obj = BpfTestSupport.open(lib, "probe_test.bpf.o");
        try (obj) {
            assertThat(obj.programs().keySet())
                    .containsExactlyInAnyOrder("tp_sched_switch", "raw_sched_switch", "tp_sched_process_exec");
            assertThat(obj.program("raw_sched_switch").section()).isEqualTo("raw_tracepoint/sched_switch");
            // The object name keeps internal map names stable: "<first 8 chars>.<section>".
            assertThat(obj.maps().keySet()).contains("switch_by_tid", "switch_percpu", "events", "probe_te.rodata");

            GlobalData rodata = obj.rodata();
            assertThat(rodata.variables().keySet()).containsExactly("rodata_version", "cookie", "emit_on_switch");
            assertThat(rodata.variable("cookie").size()).isEqualTo(8);
            assertThat(rodata.getInt("rodata_version")).isEqualTo(1); // the C initializer
            rodata.setLong("cookie", COOKIE).setInt("rodata_version", 7);
            assertThat(rodata.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, rodata.variable("cookie").offset()))
                    .isEqualTo(COOKIE);

            obj.load();
            for (BpfProgram p : obj.programs().values()) {
                progIds.add(BpfTestSupport.fdinfoId(p.fd(), "prog_id"));
            }
            // .rodata is frozen now: the old view refuses instead of writing into read-only memory.
            assertThatThrownBy(() -> rodata.setLong("cookie", 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("before load()");
            assertThatThrownBy(obj::rodata).isInstanceOf(IllegalStateException.class);

            List<BpfLink> links = obj.attachAll();
            assertThat(links).extracting(BpfLink::program)
                    .containsExactly("tp_sched_switch", "raw_sched_switch", "tp_sched_process_exec");

            // ---- per-CPU array: both programs on sched_switch count, on every possible CPU slot ----
            BpfMap percpu = obj.map("switch_percpu");
            assertThat(percpu.isPerCpu()).isTrue();
            assertThat(percpu.valueBufferSize()).isEqualTo(lib.possibleCpus() * 8);
            long tp1 = sum(percpu, 0);
            long raw1 = sum(percpu, 1);
            int tid = BpfTestSupport.currentTid();
            for (int i = 0; i < 20; i++) {
                Thread.sleep(2); // each sleep switches this thread out at least once
            }
            long tp2 = sum(percpu, 0);
            long raw2 = sum(percpu, 1);
            assertThat(tp2).isGreaterThan(tp1 + 20);
            assertThat(raw2).isGreaterThan(raw1 + 20);

            // batch over the per-CPU array: one entry per slot, every CPU's value included
            List<BpfMap.Entry> slots = percpu.entries();
            assertThat(slots).hasSize(2);
            assertThat(slots.get(0).value()).hasSize(percpu.valueBufferSize());

            // ---- hash map: by key, by key iteration, and batched ----
            BpfMap byTid = obj.map("switch_by_tid");
            assertThat(byTid.keySize()).isEqualTo(4);
            long mine = BpfTestSupport.le64(byTid.lookup(BpfTestSupport.u32(tid)).orElseThrow(), 0);
            assertThat(mine).isGreaterThanOrEqualTo(20);
            assertThat(byTid.lookup(BpfTestSupport.u32(-42))).isEmpty();

            List<byte[]> keys = byTid.keys();
            assertThat(keys.size()).isGreaterThan(1);
            Map<Integer, Long> batched = new java.util.HashMap<>();
            int visited = byTid.forEach((k, v) -> batched.put(k.get(ValueLayout.JAVA_INT_UNALIGNED, 0),
                    v.get(ValueLayout.JAVA_LONG_UNALIGNED, 0)));
            assertThat(visited).isEqualTo(batched.size()).isGreaterThanOrEqualTo(keys.size()); // keys only grow
            assertThat(batched.get(tid)).isGreaterThanOrEqualTo(mine);
            // a batch of 1 forces many rounds (and -ENOSPC growth when a bucket holds several keys)
            int small = byTid.forEach(1, (k, v) -> { });
            assertThat(small).isGreaterThanOrEqualTo(visited);

            // update/delete from user space
            byte[] fake = BpfTestSupport.u32(-7);
            byTid.update(fake, new byte[] {5, 0, 0, 0, 0, 0, 0, 0}, BpfMap.BPF_NOEXIST);
            assertThat(BpfTestSupport.le64(byTid.lookup(fake).orElseThrow(), 0)).isEqualTo(5);
            assertThatThrownBy(() -> byTid.update(fake, new byte[8], BpfMap.BPF_NOEXIST))
                    .isInstanceOf(LibbpfException.class).hasMessageStartingWith("bpf_map_update_elem: EEXIST (17)");
            assertThat(byTid.delete(fake)).isTrue();
            assertThat(byTid.delete(fake)).isFalse();

            // zero-copy lookup with caller-owned native buffers
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
                MemorySegment value = arena.allocate(percpu.valueBufferSize(), 8);
                key.set(ValueLayout.JAVA_INT, 0, 0);
                assertThat(percpu.lookup(key, value)).isTrue();
                assertThat(percpu.cpuValue(value, 0).get(ValueLayout.JAVA_LONG, 0)).isGreaterThanOrEqualTo(0);
            }

            // ---- ring buffer: an exec of /bin/true arrives with the .rodata cookie ----
            ConcurrentLinkedQueue<ProbeEvent> events = new ConcurrentLinkedQueue<>();
            List<Long> sizes = new ArrayList<>();
            RingBuffer ring = RingBuffer.open(obj.map("events"), r -> {
                sizes.add(r.byteSize());
                events.add(ProbeEvent.decode(r));
            });
            AtomicBoolean stop = new AtomicBoolean();
            Thread poller = Thread.ofPlatform().name("bpf-ring").start(() -> {
                while (!stop.get()) {
                    ring.poll(50);
                }
            });
            Process child = new ProcessBuilder("/bin/true").start();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long pid = child.pid();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            ProbeEvent exec = null;
            while (exec == null && System.nanoTime() < deadline) {
                exec = events.stream().filter(e -> e.kind() == ProbeEvent.EXEC && e.pid() == pid
                        && e.filename().endsWith("/true")).findFirst().orElse(null);
                Thread.sleep(10);
            }
            stop.set(true);
            poller.join();
            assertThat(exec).as("exec event for pid %d among %s", pid, events).isNotNull();
            assertThat(exec.cookie()).isEqualTo(COOKIE);
            assertThat(exec.comm()).isEqualTo("true");
            assertThat(exec.tid()).isEqualTo((int) pid);
            assertThat(sizes).allMatch(s -> s == ProbeEvent.LAYOUT.byteSize());
            assertThat(ring.records()).isGreaterThanOrEqualTo(1);

            // closing one link detaches just that program; closing twice is harmless
            links.get(0).close();
            links.get(0).close();
            assertThat(links.get(0).isOpen()).isFalse();
        }
        // ---- the object closed its ring buffer and remaining links, then itself ----
        assertThat(obj.isOpen()).isFalse();
        obj.close(); // idempotent
        assertThat(BpfTestSupport.bpfFds()).isEqualTo(fdsBefore);
        // The kernel frees a raw_tracepoint link's program only after an RCU grace period
        // (kernel/bpf/syscall.c bpf_link_free, deferred dealloc), so bpftool may still list it
        // for a moment after every fd is closed.
        long closedAt = System.nanoTime();
        for (int id : progIds) {
            String out;
            do {
                out = BpfTestSupport.run("bpftool", "prog", "show", "id", Integer.toString(id));
            } while (out.startsWith("0\n") && System.nanoTime() - closedAt < TimeUnit.SECONDS.toNanos(5));
            assertThat(out).as("bpftool prog show id %d", id).doesNotStartWith("0\n");
        }
        System.out.printf("programs gone from bpftool %.1f ms after close%n", (System.nanoTime() - closedAt) / 1e6);
        assertThatThrownBy(() -> obj.map("switch_by_tid")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void attachOneProgramAndChooseProgramsBeforeLoad() throws Exception {
        Libbpf lib = BpfTestSupport.requireBpf();
        try (BpfObject obj = BpfTestSupport.open(lib, "probe_test.bpf.o")) {
            // pick the raw_tracepoint flavour only, as a tool would at run time
            obj.program("tp_sched_switch").setAutoload(false);
            obj.program("tp_sched_process_exec").setAutoload(false);
            obj.load();
            assertThatThrownBy(() -> obj.program("tp_sched_switch").fd())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("not loaded");
            assertThat(obj.attachAll()).extracting(BpfLink::program).containsExactly("raw_sched_switch");
            BpfMap percpu = obj.map("switch_percpu");
            long before = sum(percpu, 1);
            Thread.sleep(20);
            assertThat(sum(percpu, 1)).isGreaterThan(before);
            assertThat(sum(percpu, 0)).isZero(); // the tracepoint program was never loaded
        }
    }

    private static long sum(BpfMap percpu, int slot) {
        byte[] v = percpu.lookup(BpfTestSupport.u32(slot)).orElseThrow();
        long total = 0;
        for (int cpu = 0; cpu < percpu.possibleCpus(); cpu++) {
            total += percpu.cpuValue(v, cpu).getLong(0);
        }
        return total;
    }
}
