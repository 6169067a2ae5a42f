package org.proctap.source.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proctap.testing.Commands;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one wire contract: compiles src/main/bpf/proctap.h with gcc, prints every struct's size and
 * every field's offset, and checks Wire's layouts field by field. A field added on one side only
 * fails here.
 */
class WireLayoutTest {
    private static final Map<String, StructLayout> STRUCTS = Map.ofEntries(
            Map.entry("pt_proc", Wire.PROC), Map.entry("pt_counts", Wire.COUNTS),
            Map.entry("pt_cpu_state", Wire.CPU_STATE), Map.entry("pt_event_hdr", Wire.EVENT_HDR),
            Map.entry("pt_exec_event", Wire.EXEC_EVENT), Map.entry("pt_fork_event", Wire.FORK_EVENT),
            Map.entry("pt_exit_event", Wire.EXIT_EVENT), Map.entry("pt_rename_event", Wire.RENAME_EVENT),
            Map.entry("pt_config", Wire.CONFIG), Map.entry("pt_task_out", Wire.TASK_OUT),
            Map.entry("pt_task_now", Wire.TASK_NOW), Map.entry("pt_task_row", Wire.TASK_ROW),
            Map.entry("pt_cgroup_event", Wire.CGROUP_EVENT), Map.entry("pt_iter_ctl", Wire.ITER_CTL));

    private static final Map<String, Long> C = new HashMap<>();

    @BeforeAll
    static void compileHeader(@TempDir Path dir) throws IOException, InterruptedException {
        Path header = Path.of("src/main/bpf/proctap.h").toAbsolutePath();
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include \"" + header + "\"\n");
        c.append("int main(void) {\n");
        for (var e : STRUCTS.entrySet()) {
            String s = e.getKey();
            c.append("printf(\"").append(s).append(" %zu\\n\", sizeof(struct ").append(s).append("));\n");
            for (MemoryLayout m : e.getValue().memberLayouts()) {
                String f = m.name().orElseThrow();
                c.append("printf(\"").append(s).append('.').append(f).append(" %zu %zu\\n\", offsetof(struct ")
                        .append(s).append(", ").append(f).append("), sizeof(((struct ").append(s).append(" *)0)->")
                        .append(f).append("));\n");
            }
        }
        String[] constants = {"PT_COMM_LEN", "PT_PATH_LEN", "PT_PROC_WATCHED", "PT_PROC_PINNED", "PT_PROC_UNDECIDED", "PT_CPU_KNOWN",
            "PT_CPU_WATCHED", "PT_MATCH_NONE", "PT_MATCH_SUBSTRING", "PT_MATCH_EXACT", "PT_MATCH_USER",
            "PT_EV_EXEC", "PT_EV_FORK", "PT_EV_EXIT", "PT_EV_RENAME", "PT_STAT_RINGBUF_DROPS",
            "PT_STAT_COUNTS_FULL", "PT_STAT_REPAIRS", "PT_STAT_REPAIRED_NS", "PT_STAT_MAX", "PT_HIST_SLOTS",
            "PT_HIST_WAIT", "PT_HIST_SLICE", "PT_MATCH_CGROUP", "PT_EV_CGROUP", "PT_CGROUP_PATH_LEN",
            "PT_COUNTS_SIZE(PT_M_WAIT_HIST)", "PT_COUNTS_SIZE(PT_M_SLICE_HIST)", "PT_COUNTS_SIZE(PT_SLOTS)",
            "PT_ITER_CHANGED", "PT_ITER_ALL", "PT_ITER_TASKS"};
        for (String k : constants) {
            c.append("printf(\"").append(k).append(" %lld\\n\", (long long)(").append(k).append("));\n");
        }
        c.append("return 0; }\n");
        Path src = dir.resolve("layout.c");
        Files.writeString(src, c);
        Path bin = dir.resolve("layout");
        Commands.run(List.of("gcc", "-Wall", "-Werror", "-o", bin.toString(), src.toString()));
        for (String line : Commands.run(List.of(bin.toString())).split("\n")) {
            String[] parts = line.split(" ");
            C.put(parts[0], Long.parseLong(parts[1]));
            if (parts.length > 2) {
                C.put(parts[0] + "#size", Long.parseLong(parts[2]));
            }
        }
    }

    @Test
    void everyStructHasTheSameSizeAndEveryFieldTheSameOffsetAndSize() {
        List<String> checked = new ArrayList<>();
        for (var e : STRUCTS.entrySet()) {
            String s = e.getKey();
            StructLayout layout = e.getValue();
            assertThat(layout.byteSize()).as("sizeof(struct %s)", s).isEqualTo(C.get(s));
            for (MemoryLayout m : layout.memberLayouts()) {
                String f = m.name().orElseThrow();
                assertThat(Wire.offset(layout, f)).as("offsetof(struct %s, %s)", s, f).isEqualTo(C.get(s + "." + f));
                assertThat(m.byteSize()).as("sizeof(%s.%s)", s, f).isEqualTo(C.get(s + "." + f + "#size"));
                checked.add(s + "." + f);
            }
        }
        assertThat(checked).hasSizeGreaterThan(30);
    }

    @Test
    void constantsAgree() {
        assertThat(C.get("PT_COMM_LEN")).isEqualTo(Wire.COMM_LEN);
        assertThat(C.get("PT_PATH_LEN")).isEqualTo(Wire.PATH_LEN);
        assertThat(C.get("PT_PROC_WATCHED")).isEqualTo(Wire.PROC_WATCHED);
        assertThat(C.get("PT_PROC_PINNED")).isEqualTo(Wire.PROC_PINNED);
        assertThat(C.get("PT_PROC_UNDECIDED")).isEqualTo(Wire.PROC_UNDECIDED);
        assertThat(C.get("PT_CPU_KNOWN")).isEqualTo(Wire.CPU_KNOWN);
        assertThat(C.get("PT_CPU_WATCHED")).isEqualTo(Wire.CPU_WATCHED);
        assertThat(C.get("PT_MATCH_NONE")).isEqualTo(Wire.MATCH_NONE);
        assertThat(C.get("PT_MATCH_SUBSTRING")).isEqualTo(Wire.MATCH_SUBSTRING);
        assertThat(C.get("PT_MATCH_EXACT")).isEqualTo(Wire.MATCH_EXACT);
        assertThat(C.get("PT_MATCH_USER")).isEqualTo(Wire.MATCH_USER);
        assertThat(C.get("PT_EV_EXEC")).isEqualTo(Wire.EV_EXEC);
        assertThat(C.get("PT_EV_FORK")).isEqualTo(Wire.EV_FORK);
        assertThat(C.get("PT_EV_EXIT")).isEqualTo(Wire.EV_EXIT);
        assertThat(C.get("PT_EV_RENAME")).isEqualTo(Wire.EV_RENAME);
        assertThat(C.get("PT_STAT_RINGBUF_DROPS")).isEqualTo(Wire.STAT_RINGBUF_DROPS);
        assertThat(C.get("PT_STAT_COUNTS_FULL")).isEqualTo(Wire.STAT_COUNTS_FULL);
        assertThat(C.get("PT_STAT_REPAIRS")).isEqualTo(Wire.STAT_REPAIRS);
        assertThat(C.get("PT_STAT_REPAIRED_NS")).isEqualTo(Wire.STAT_REPAIRED_NS);
        assertThat(C.get("PT_STAT_MAX")).isEqualTo(Wire.STAT_MAX);
        assertThat(C.get("PT_HIST_SLOTS")).isEqualTo(Wire.HIST_SLOTS).isEqualTo(org.proctap.metric.Log2Slots.COUNT);
        assertThat(C.get("PT_HIST_WAIT")).isEqualTo(Wire.HIST_WAIT);
        assertThat(C.get("PT_HIST_SLICE")).isEqualTo(Wire.HIST_SLICE);
        assertThat(C.get("PT_MATCH_CGROUP")).isEqualTo(Wire.MATCH_CGROUP);
        assertThat(C.get("PT_EV_CGROUP")).isEqualTo(Wire.EV_CGROUP);
        assertThat(C.get("PT_CGROUP_PATH_LEN")).isEqualTo(Wire.CGROUP_PATH_LEN);
        assertThat(C.get("PT_ITER_CHANGED")).isEqualTo(Wire.ITER_CHANGED);
        assertThat(C.get("PT_ITER_ALL")).isEqualTo(Wire.ITER_ALL);
        assertThat(C.get("PT_ITER_TASKS")).isEqualTo(Wire.ITER_TASKS);
    }

    /** The counts map's value size with no histogram, the wait one, both (CountsValue). */
    @Test
    void theCountsValueSizesAgree() {
        assertThat(C.get("PT_COUNTS_SIZE(PT_M_WAIT_HIST)"))
                .isEqualTo(CountsValue.measuring(java.util.Set.of()).byteSize());
        assertThat(C.get("PT_COUNTS_SIZE(PT_M_SLICE_HIST)"))
                .isEqualTo(CountsValue.measuring(java.util.Set.of(org.proctap.metric.Metric.WAIT_HIST)).byteSize());
        assertThat(C.get("PT_COUNTS_SIZE(PT_SLOTS)"))
                .isEqualTo(CountsValue.measuring(java.util.Set.of(org.proctap.metric.Metric.WAIT_HIST,
                        org.proctap.metric.Metric.SLICE_HIST)).byteSize())
                .isEqualTo(Wire.COUNTS.byteSize());
    }
}
