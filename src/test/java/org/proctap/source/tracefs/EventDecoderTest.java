package org.proctap.source.tracefs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.proctap.event.Event;
import org.proctap.event.ProcessExit;
import org.proctap.event.ProcessFork;
import org.proctap.event.SchedSwitch;
import org.proctap.event.SyscallEnter;
import org.proctap.event.SyscallEnter.Syscall;

/** Records written by hand against real format texts, one comment per field. */
class EventDecoderTest {

    /** The formats this project's kernel (6.18) printed, saved with the fixture. */
    private static final Map<String, EventFormat> FORMATS_6_18 = Fixture.load("fixtures/linux-6.18/process-lifecycle")
            .formats().stream().collect(Collectors.toMap(f -> f.system() + "/" + f.name(), Function.identity()));

    /** sched_process_exit before group_dead was added. */
    static final String EXIT_OLD = """
            name: sched_process_exit
            ID: 305
            format:
            	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
            	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
            	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
            	field:int common_pid;	offset:4;	size:4;	signed:1;

            	field:char comm[16];	offset:8;	size:16;	signed:0;
            	field:pid_t pid;	offset:24;	size:4;	signed:1;
            	field:int prio;	offset:28;	size:4;	signed:1;

            print fmt: "comm=%s pid=%d prio=%d", REC->comm, REC->pid, REC->prio
            """;

    /** An event proctap does not model. */
    static final String HRTIMER_ENTRY = """
            name: hrtimer_expire_entry
            ID: 120
            format:
            	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
            	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
            	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
            	field:int common_pid;	offset:4;	size:4;	signed:1;

            	field:void * hrtimer;	offset:8;	size:8;	signed:0;
            	field:s64 now;	offset:16;	size:8;	signed:1;
            	field:void * function;	offset:24;	size:8;	signed:0;

            print fmt: "hrtimer=%p function=%ps now=%llu", REC->hrtimer, REC->function, REC->now
            """;

    /** The interrupt events as Linux 6.18 prints their formats (events/irq/.../format). */
    static final String SOFTIRQ_ENTRY = """
            name: softirq_entry
            ID: 223
            format:
            	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
            	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
            	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
            	field:int common_pid;	offset:4;	size:4;	signed:1;

            	field:unsigned int vec;	offset:8;	size:4;	signed:0;

            print fmt: "vec=%u [action=%s]", REC->vec, __print_symbolic(REC->vec, { 0, "HI" }, { 1, "TIMER" }, { 2, "NET_TX" }, { 3, "NET_RX" }, { 4, "BLOCK" }, { 5, "IRQ_POLL" }, { 6, "TASKLET" }, { 7, "SCHED" }, { 8, "HRTIMER" }, { 9, "RCU" })
            """;
    static final String IRQ_HANDLER_ENTRY = """
            name: irq_handler_entry
            ID: 225
            format:
            	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
            	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
            	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
            	field:int common_pid;	offset:4;	size:4;	signed:1;

            	field:int irq;	offset:8;	size:4;	signed:1;
            	field:__data_loc char[] name;	offset:12;	size:4;	signed:0;

            print fmt: "irq=%d name=%s", REC->irq, __get_str(name)
            """;
    static final String IRQ_HANDLER_EXIT = """
            name: irq_handler_exit
            ID: 224
            format:
            	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
            	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
            	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
            	field:int common_pid;	offset:4;	size:4;	signed:1;

            	field:int irq;	offset:8;	size:4;	signed:1;
            	field:int ret;	offset:12;	size:4;	signed:1;

            print fmt: "irq=%d ret=%s", REC->irq, REC->ret ? "handled" : "unhandled"
            """;

    private static EventFormat format(String event) {
        return FORMATS_6_18.get(event);
    }

    private static EventDecoder decoderFor(EventFormat... formats) {
        return EventDecoder.create(List.of(formats));
    }

    private static Event decode(EventDecoder d, ByteBuffer record) {
        return d.decode(77, 1, record, 0, record.limit());
    }

    @Test
    void schedSwitch() {
        EventFormat f = format("sched/sched_switch");
        ByteBuffer r = PageBytes.littleEndian(64)
                .u16(f.id())                 // @0 common_type
                .u8(0x01)                    // @2 common_flags: irqs off
                .u8(0x02)                    // @3 common_preempt_count
                .u32(4242)                   // @4 common_pid
                .ascii("fx-main").u8(0)      // @8 prev_comm[16]
                .padTo(24)
                .u32(4242)                   // @24 prev_pid
                .u32(120)                    // @28 prev_prio
                .u64(0x100)                  // @32 prev_state: R+ (runnable, preempted with the 0x100 bit)
                .ascii("swapper/1").u8(0)    // @40 next_comm[16]
                .padTo(56)
                .u32(0)                      // @56 next_pid
                .u32(120)                    // @60 next_prio
                .page();
        assertThat(decode(decoderFor(f), r))
                .isEqualTo(new SchedSwitch(77, 1, 4242, "fx-main", 4242, 120, 0x100, "swapper/1", 0, 120));
    }

    @Test
    void dataLocStringsOf618() {
        EventFormat f = format("sched/sched_process_fork");
        ByteBuffer r = PageBytes.littleEndian(40)
                .u16(f.id())                 // @0 common_type
                .u8(0).u8(0)                 // @2 common_flags, common_preempt_count
                .u32(4242)                   // @4 common_pid
                .u32(8 << 16 | 24)           // @8 parent_comm: __data_loc, 8 bytes (with the NUL) at 24
                .u32(4242)                   // @12 parent_pid
                .u32(7 << 16 | 32)           // @16 child_comm: __data_loc, 7 bytes at 32
                .u32(4243)                   // @20 child_pid
                .ascii("fx-main").u8(0)      // @24 parent_comm's bytes
                .ascii("fx-kid").u8(0)       // @32 child_comm's bytes
                .u8(0)                       // @39 ring-buffer alignment padding
                .page();
        assertThat(decode(decoderFor(f), r)).isEqualTo(new ProcessFork(77, 1, 4242, "fx-main", 4242, "fx-kid", 4243));
    }

    @Test
    void charArrayStringsOfOlderKernels() {
        EventFormat f = EventFormat.parse("sched", FormatParsingTest.FORK_OLD);
        ByteBuffer r = PageBytes.littleEndian(48)
                .u16(312)                                     // @0 common_type
                .u8(0).u8(0)                                  // @2 flags, preempt count
                .u32(10)                                      // @4 common_pid
                .ascii("exactly-16-chars")                    // @8 parent_comm[16]: no NUL when full
                .u32(10)                                      // @24 parent_pid
                .ascii("kid").u8(0).ascii("garbage-afte")     // @28 child_comm[16]: stop at the NUL
                .u32(11)                                      // @44 child_pid
                .page();
        assertThat(decode(decoderFor(f), r)).isEqualTo(new ProcessFork(77, 1, 10, "exactly-16-chars", 10, "kid", 11));
    }

    @Test
    void relLocStringsCountFromTheEndOfTheirField() {
        EventFormat f = EventFormat.parse("sched", FormatParsingTest.FORK_6_18.replace("__data_loc", "__rel_loc"));
        ByteBuffer r = PageBytes.littleEndian(40)
                .u16(f.id()).u8(0).u8(0).u32(1)   // @0 common fields
                .u32(8 << 16 | 12)                // @8 parent_comm: 8 bytes at 12 past the field's end (8 + 4)
                .u32(1)                           // @12 parent_pid
                .u32(7 << 16 | 12)                // @16 child_comm: 7 bytes at 12 past the field's end (16 + 4)
                .u32(2)                           // @20 child_pid
                .ascii("fx-main").u8(0)           // @24
                .ascii("fx-kid").u8(0)            // @32
                .page();
        assertThat(decode(decoderFor(f), r)).isEqualTo(new ProcessFork(77, 1, 1, "fx-main", 1, "fx-kid", 2));
    }

    @Test
    void exitCodeIsTheLow32BitsOfAnEightByteField() {
        EventFormat f = format("syscalls/sys_enter_exit_group");
        assertThat(f.field("error_code").size()).isEqualTo(8);   // "int error_code; size:8; signed:0"
        EventDecoder d = decoderFor(f);
        for (long[] c : new long[][] {{0x0000_0000_ffff_ffffL, -1}, {-1L, -1}, {42, 42}, {0x1_0000_0003L, 3}}) {
            ByteBuffer r = PageBytes.littleEndian(24)
                    .u16(f.id()).u8(0).u8(0).u32(9)   // @0 common fields
                    .u32(231)                         // @8 __syscall_nr (exit_group on x86-64)
                    .u32(0)                           // @12 alignment hole
                    .u64(c[0])                        // @16 error_code as the kernel stored the register
                    .page();
            assertThat(decode(d, r)).isEqualTo(new SyscallEnter(77, 1, 9, Syscall.EXIT_GROUP, c[1]));
        }
    }

    @Test
    void cloneFlagsAndArgumentlessSyscalls() {
        EventFormat clone = format("syscalls/sys_enter_clone");
        EventFormat fork = format("syscalls/sys_enter_fork");
        EventDecoder d = decoderFor(clone, fork);
        ByteBuffer c = PageBytes.littleEndian(56)
                .u16(clone.id()).u8(0).u8(0).u32(5)   // @0 common fields
                .u32(56).u32(0)                       // @8 __syscall_nr, hole
                .u64(0x1200011)                       // @16 clone_flags: CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD
                .page();                              // @24.. newsp, tidptrs, tls: zero
        assertThat(decode(d, c)).isEqualTo(new SyscallEnter(77, 1, 5, Syscall.CLONE, 0x1200011));
        ByteBuffer f = PageBytes.littleEndian(12)
                .u16(fork.id()).u8(0).u8(0).u32(5)    // @0 common fields
                .u32(57)                              // @8 __syscall_nr
                .page();
        assertThat(decode(d, f)).isEqualTo(new SyscallEnter(77, 1, 5, Syscall.FORK, 0));
    }

    @Test
    void groupDeadWhenTheKernelHasIt() {
        EventFormat exit = format("sched/sched_process_exit");
        EventDecoder d = decoderFor(exit);
        assertThat(d.hasGroupDead()).isTrue();
        ByteBuffer r = PageBytes.littleEndian(36)
                .u16(exit.id()).u8(0).u8(0).u32(7)   // @0 common fields
                .ascii("fx-main").u8(0).padTo(24)    // @8 comm[16]
                .u32(7)                              // @24 pid
                .u32(120)                            // @28 prio
                .u8(1)                               // @32 group_dead: bool true
                .page();
        assertThat(decode(d, r)).isEqualTo(new ProcessExit(77, 1, 7, "fx-main", 7, 120, true));

        EventDecoder old = decoderFor(EventFormat.parse("sched", EXIT_OLD));
        assertThat(old.hasGroupDead()).isFalse();
        ByteBuffer o = PageBytes.littleEndian(32)
                .u16(305).u8(0).u8(0).u32(7)         // @0 common fields
                .ascii("fx-main").u8(0).padTo(24)    // @8 comm[16]
                .u32(7).u32(120)                     // @24 pid, @28 prio
                .page();
        assertThat(decode(old, o)).isEqualTo(new ProcessExit(77, 1, 7, "fx-main", 7, 120, false));
        assertThat(decoderFor(format("sched/sched_switch")).hasGroupDead()).isFalse();
    }

    @Test
    void interruptEntriesAndExits() {
        EventFormat soft = EventFormat.parse("irq", SOFTIRQ_ENTRY);
        EventFormat entry = EventFormat.parse("irq", IRQ_HANDLER_ENTRY);
        EventFormat exit = EventFormat.parse("irq", IRQ_HANDLER_EXIT);
        EventDecoder d = decoderFor(soft, entry, exit);
        ByteBuffer s = PageBytes.littleEndian(12)
                .u16(223)                    // @0 common_type: softirq_entry
                .u8(0x11)                    // @2 common_flags: irqs off, in a softirq
                .u8(0x01)                    // @3 common_preempt_count
                .u32(4242)                   // @4 common_pid: the task it runs in
                .u32(3)                      // @8 vec: NET_RX
                .page();
        assertThat(decode(d, s)).isEqualTo(new org.proctap.event.SoftirqEntry(77, 1, 4242, 3));
        ByteBuffer e = PageBytes.littleEndian(28)
                .u16(225)                    // @0 common_type: irq_handler_entry
                .u8(0x09)                    // @2 common_flags: irqs off, in a hard irq
                .u8(0x01)                    // @3 common_preempt_count
                .u32(0)                      // @4 common_pid: the idle task
                .u32(41)                     // @8 irq
                .u32(11 << 16 | 16)          // @12 name: __data_loc, 11 bytes (with the NUL) at 16
                .ascii("virtio3-rx").u8(0)   // @16 name
                .page();
        assertThat(decode(d, e)).isEqualTo(new org.proctap.event.IrqEntry(77, 1, 0, 41));
        ByteBuffer x = PageBytes.littleEndian(16)
                .u16(224)                    // @0 common_type: irq_handler_exit
                .u8(0x09)                    // @2 common_flags
                .u8(0x01)                    // @3 common_preempt_count
                .u32(0)                      // @4 common_pid
                .u32(41)                     // @8 irq
                .u32(1)                      // @12 ret: handled
                .page();
        assertThat(decode(d, x)).isEqualTo(new org.proctap.event.IrqExit(77, 1, 0, -1, 41));
    }

    @Test
    void unknownIdsDecodeToNull() {
        EventDecoder d = EventDecoder.create(List.of(format("irq_vectors/local_timer_entry"),
                EventFormat.parse("timer", HRTIMER_ENTRY)));
        ByteBuffer notModelled = PageBytes.littleEndian(32).u16(120).u8(0).u8(0).u32(1).page();
        assertThat(decode(d, notModelled)).isNull();
        ByteBuffer notEnabled = PageBytes.littleEndian(32).u16(60_000).u8(0).u8(0).u32(1).page();
        assertThat(decode(d, notEnabled)).isNull();
        ByteBuffer belowMax = PageBytes.littleEndian(32).u16(3).u8(0).u8(0).u32(1).page();
        assertThat(decode(d, belowMax)).isNull();
    }

    @Test
    void corruptRecordsAreRejected() {
        EventFormat f = format("sched/sched_process_fork");
        EventDecoder d = decoderFor(f);
        ByteBuffer shortRecord = PageBytes.littleEndian(16).u16(f.id()).u8(0).u8(0).u32(1).page();
        assertThatThrownBy(() -> decode(d, shortRecord)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sched/sched_process_fork is 16 bytes, its format needs 24");
        ByteBuffer outside = PageBytes.littleEndian(32)
                .u16(f.id()).u8(0).u8(0).u32(1)      // @0 common fields
                .u32(16 << 16 | 24)                  // @8 parent_comm: 16 bytes at 24, past the 32-byte record
                .u32(1).u32(8 << 16 | 24).u32(2)     // @12..
                .page();
        assertThatThrownBy(() -> decode(d, outside)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parent_comm").hasMessageContaining("runs past the 32-byte record");
        assertThatThrownBy(() -> d.decode(0, 0, ByteBuffer.allocate(4), 0, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("common fields");
    }

    @Test
    void checkFailsWhereDecodeFailsAndPassesWhatItDecodes() {
        EventFormat fork = format("sched/sched_process_fork");
        EventFormat sw = format("sched/sched_switch");
        EventDecoder d = decoderFor(fork, sw);
        ByteBuffer shortRecord = PageBytes.littleEndian(16).u16(fork.id()).u8(0).u8(0).u32(1).page();
        assertThatThrownBy(() -> d.check(shortRecord, 0, 16)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sched/sched_process_fork is 16 bytes, its format needs 24");
        ByteBuffer outside = PageBytes.littleEndian(32)
                .u16(fork.id()).u8(0).u8(0).u32(1)
                .u32(16 << 16 | 24)                  // parent_comm: 16 bytes at 24, past the 32-byte record
                .u32(1).u32(8 << 16 | 24).u32(2)
                .page();
        assertThatThrownBy(() -> d.check(outside, 0, 32)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parent_comm");
        assertThatThrownBy(() -> d.check(ByteBuffer.allocate(4), 0, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("common fields");
        ByteBuffer shortSwitch = PageBytes.littleEndian(sw.fixedLength() - 1).u16(sw.id()).u8(0).u8(0).u32(1).page();
        assertThatThrownBy(() -> d.check(shortSwitch, 0, sw.fixedLength() - 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sched/sched_switch");
        ByteBuffer whole = PageBytes.littleEndian(sw.fixedLength()).u16(sw.id()).u8(0).u8(0).u32(1).page();
        d.check(whole, 0, sw.fixedLength()); // (no exception: decode takes it too)
        assertThat(d.decode(0, 0, whole, 0, sw.fixedLength())).isNotNull();
        ByteBuffer unknown = PageBytes.littleEndian(8).u16(60_000).u8(0).u8(0).u32(1).page();
        d.check(unknown, 0, 8);
    }

    @Test
    void createRejectsWhatItCannotDecode() {
        EventFormat noChildPid = EventFormat.parse("sched", FormatParsingTest.FORK_6_18.replace("child_pid", "child_tid"));
        assertThatThrownBy(() -> decoderFor(noChildPid)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sched/sched_process_fork").hasMessageContaining("child_pid");
        EventFormat same = EventFormat.parse("sched", FormatParsingTest.FORK_OLD.replace("ID: 312", "ID: 305"));
        assertThatThrownBy(() -> decoderFor(same, EventFormat.parse("sched", EXIT_OLD)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("share the id 305");
        EventFormat moved = EventFormat.parse("sched", EXIT_OLD.replace("common_pid;\toffset:4", "common_pid;\toffset:12"));
        assertThatThrownBy(() -> decoderFor(format("sched/sched_switch"), moved))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("common_type/common_pid");
        assertThatThrownBy(() -> EventDecoder.create(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void repeatedCommsAreNotAllocatedAgain() {
        EventFormat f = format("sched/sched_wakeup");
        EventDecoder d = decoderFor(f);
        List<String> comms = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ByteBuffer r = PageBytes.littleEndian(36)
                    .u16(f.id()).u8(0).u8(0).u32(0)     // @0 common fields
                    .ascii("kworker/1:2").u8(0)         // @8 comm[16]
                    .padTo(24).u32(30 + i)              // @24 pid
                    .u32(120).u32(1)                    // @28 prio, @32 target_cpu
                    .page();
            comms.add(((org.proctap.event.SchedWakeup) decode(d, r)).comm());
        }
        assertThat(comms.get(1)).isSameAs(comms.get(0));
        assertThat(comms.get(2)).isSameAs(comms.get(0));
    }

    @Test
    void bigEndianRecordsReadInTheBuffersOrder() {
        EventFormat f = format("sched/sched_process_fork");
        ByteBuffer r = new PageBytes(40, ByteOrder.BIG_ENDIAN)
                .u16(f.id()).u8(0).u8(0).u32(4242)   // @0 common fields, big-endian
                .u32(8 << 16 | 24).u32(4242)         // @8 parent_comm location, @12 parent_pid
                .u32(7 << 16 | 32).u32(4243)         // @16 child_comm location, @20 child_pid
                .ascii("fx-main").u8(0)              // @24
                .ascii("fx-kid").u8(0)               // @32
                .page();
        assertThat(decode(decoderFor(f), r)).isEqualTo(new ProcessFork(77, 1, 4242, "fx-main", 4242, "fx-kid", 4243));
    }
}
