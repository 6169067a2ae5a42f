package org.proctap.source.tracefs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** header_page, header_event and event format texts, as literals copied from real kernels. */
class FormatParsingTest {

    /** events/sched/sched_process_fork/format on Linux 6.18: comms are dynamic strings. */
    static final String FORK_6_18 = """
            name: sched_process_fork
            ID: 366
            format:
            	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
            	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
            	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
            	field:int common_pid;	offset:4;	size:4;	signed:1;

            	field:__data_loc char[] parent_comm;	offset:8;	size:4;	signed:0;
            	field:pid_t parent_pid;	offset:12;	size:4;	signed:1;
            	field:__data_loc char[] child_comm;	offset:16;	size:4;	signed:0;
            	field:pid_t child_pid;	offset:20;	size:4;	signed:1;

            print fmt: "comm=%s pid=%d child_comm=%s child_pid=%d", __get_str(parent_comm), REC->parent_pid, __get_str(child_comm), REC->child_pid
            """;

    /** The same event on older kernels (4.x to 6.x before the change): comms are char[16]. */
    static final String FORK_OLD = """
            name: sched_process_fork
            ID: 312
            format:
            	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
            	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
            	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
            	field:int common_pid;	offset:4;	size:4;	signed:1;

            	field:char parent_comm[16];	offset:8;	size:16;	signed:1;
            	field:pid_t parent_pid;	offset:24;	size:4;	signed:1;
            	field:char child_comm[16];	offset:28;	size:16;	signed:1;
            	field:pid_t child_pid;	offset:44;	size:4;	signed:1;

            print fmt: "comm=%s pid=%d child_comm=%s child_pid=%d", REC->parent_comm, REC->parent_pid, REC->child_comm, REC->child_pid
            """;

    /** Linux 6.18: syscall arguments are widened to 8 bytes, whatever their C type. */
    static final String CLONE_6_18 = """
            name: sys_enter_clone
            ID: 196
            format:
            	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
            	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
            	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
            	field:int common_pid;	offset:4;	size:4;	signed:1;

            	field:int __syscall_nr;	offset:8;	size:4;	signed:1;
            	field:unsigned long clone_flags;	offset:16;	size:8;	signed:0;
            	field:unsigned long newsp;	offset:24;	size:8;	signed:0;
            	field:int * parent_tidptr;	offset:32;	size:8;	signed:0;
            	field:int * child_tidptr;	offset:40;	size:8;	signed:0;
            	field:unsigned long tls;	offset:48;	size:8;	signed:0;

            print fmt: "clone_flags: 0x%08lx, newsp: 0x%08lx, parent_tidptr: 0x%08lx, child_tidptr: 0x%08lx, tls: 0x%08lx", ((unsigned long)(REC->clone_flags)), ((unsigned long)(REC->newsp)), ((unsigned long)(REC->parent_tidptr)), ((unsigned long)(REC->child_tidptr)), ((unsigned long)(REC->tls))
            """;

    static final String HEADER_EVENT_6_18 = """
            # compressed entry header
            	type_len    :    5 bits
            	time_delta  :   27 bits
            	array       :   32 bits

            	padding     : type == 29
            	time_extend : type == 30
            	time_stamp : type == 31
            	data max type_len  == 28
            """;

    @Test
    void headerPageOfThisKernel() {
        PageLayout layout = PageLayout.parse(PageDecoderTest.HEADER_PAGE_6_18);
        assertThat(layout).isEqualTo(new PageLayout(0, 8, 8, 8, 16, 4080));
        assertThat(layout.longSize()).isEqualTo(8);
        assertThat(layout.subBufferSize()).isEqualTo(4096);
    }

    @Test
    void headerPageOfA32BitKernel() {
        assertThat(PageLayout.parse(PageDecoderTest.HEADER_PAGE_32_BIT)).isEqualTo(new PageLayout(0, 8, 8, 4, 12, 4084));
    }

    @Test
    void badHeaderPageSaysWhatIsWrong() {
        assertThatThrownBy(() -> PageLayout.parse(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header_page").hasMessageContaining("timestamp, commit and data");
        assertThatThrownBy(() -> PageLayout.parse("\tfield: u64 timestamp;\toffset:zero;\tsize:8;\tsigned:0;\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header_page").hasMessageContaining("'zero'");
        assertThatThrownBy(() -> PageLayout.parse(PageDecoderTest.HEADER_PAGE_6_18.replace("size:8;\tsigned:1", "size:2;\tsigned:1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commit size 2");
        assertThatThrownBy(() -> PageLayout.parse("this is not a header page"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a field line");
    }

    @Test
    void headerEventOfThisKernel() {
        assertThat(EventHeader.parse(HEADER_EVENT_6_18)).isEqualTo(EventHeader.DEFAULT);
        assertThatThrownBy(() -> EventHeader.parse("# compressed entry header\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type_len");
    }

    @Test
    void dynamicStringFieldsOf618() {
        EventFormat f = EventFormat.parse("sched", FORK_6_18);
        assertThat(f.system()).isEqualTo("sched");
        assertThat(f.name()).isEqualTo("sched_process_fork");
        assertThat(f.id()).isEqualTo(366);
        assertThat(f.fields()).extracting(FormatField::name).containsExactly("common_type", "common_flags",
                "common_preempt_count", "common_pid", "parent_comm", "parent_pid", "child_comm", "child_pid");
        assertThat(f.field("parent_comm"))
                .isEqualTo(new FormatField("__data_loc char[]", "parent_comm", 8, 4, false, true, -1));
        assertThat(f.field("parent_comm").relLoc()).isFalse();
        assertThat(f.field("child_pid")).isEqualTo(new FormatField("pid_t", "child_pid", 20, 4, true, false, -1));
        assertThat(f.field("common_type")).isEqualTo(new FormatField("unsigned short", "common_type", 0, 2, false, false, -1));
        assertThat(f.fixedLength()).isEqualTo(24);
    }

    @Test
    void charArrayFieldsOfOlderKernels() {
        EventFormat f = EventFormat.parse("sched", FORK_OLD);
        assertThat(f.field("parent_comm")).isEqualTo(new FormatField("char", "parent_comm", 8, 16, true, false, 16));
        assertThat(f.field("child_comm").arrayLength()).isEqualTo(16);
        assertThat(f.field("child_pid").offset()).isEqualTo(44);
        assertThat(f.fixedLength()).isEqualTo(48);
    }

    @Test
    void pointerAndWidenedTypes() {
        EventFormat f = EventFormat.parse("syscalls", CLONE_6_18);
        assertThat(f.field("__syscall_nr")).isEqualTo(new FormatField("int", "__syscall_nr", 8, 4, true, false, -1));
        assertThat(f.field("clone_flags")).isEqualTo(new FormatField("unsigned long", "clone_flags", 16, 8, false, false, -1));
        assertThat(f.field("parent_tidptr").type()).isEqualTo("int *");
        EventFormat execve = EventFormat.parse("syscalls", CLONE_6_18
                .replace("int * child_tidptr", "const char *const * argv"));
        assertThat(execve.field("argv").type()).isEqualTo("const char *const *");
    }

    @Test
    void relLocAndSymbolicArrayLengths() {
        FormatField rel = FormatField.parseLine("\tfield:__rel_loc char[] name;\toffset:8;\tsize:4;\tsigned:0;");
        assertThat(rel.dataLoc()).isTrue();
        assertThat(rel.relLoc()).isTrue();
        FormatField symbolic = FormatField.parseLine("\tfield:char comm[TASK_COMM_LEN];\toffset:8;\tsize:16;");
        assertThat(symbolic).isEqualTo(new FormatField("char", "comm", 8, 16, false, false, 0));
    }

    @Test
    void missingFieldNamesEventAndField() {
        EventFormat f = EventFormat.parse("sched", FORK_6_18);
        assertThat(f.findField("group_dead")).isEmpty();
        assertThatThrownBy(() -> f.field("group_dead"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sched/sched_process_fork").hasMessageContaining("group_dead");
    }

    @Test
    void badFormatTextsSayWhatIsWrong() {
        assertThatThrownBy(() -> EventFormat.parse("sched", FORK_6_18.replace("ID: 366\n", "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sched/sched_process_fork has no 'ID:' line");
        assertThatThrownBy(() -> EventFormat.parse("sched", FORK_6_18.replace("ID: 366", "ID: many")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'many'");
        assertThatThrownBy(() -> EventFormat.parse("sched", FORK_6_18.replace("offset:12;", "offset:;")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sched/sched_process_fork").hasMessageContaining("parent_pid");
        assertThatThrownBy(() -> EventFormat.parse("sched", "no format here"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no 'name:' line");
    }

    @Test
    void printFormatIsNotParsedAsFields() {
        EventFormat f = EventFormat.parse("sched", FORK_6_18 + "\tfield:int bogus;\toffset:99;\tsize:4;\tsigned:1;\n");
        assertThat(f.findField("bogus")).isEmpty();
    }
}
