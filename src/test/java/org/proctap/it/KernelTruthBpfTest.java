package org.proctap.it;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** KernelTruth's BPF readers: bpftool's JSON and fdinfo, on text captured from a running proctap on Linux 6.18. */
class KernelTruthBpfTest {

    @Test
    void keepsTheProgramsWithThePrefixById() {
        // bpftool v7.1.0 -j prog show, shortened: a proctap program, a nameless one, another tool's.
        String json = """
                [{"id":2056,"type":"raw_tracepoint","name":"pt_local_timer_entry","tag":"e6e8ad1f39f88751",\
                "gpl_compatible":true,"loaded_at":1795727206,"uid":0,"bytes_xlated":1416,"jited":true,\
                "map_ids":[1651,1647],"btf_id":1001},\
                {"id":7,"type":"cgroup_device","tag":"e3dbd137be8d6168","gpl_compatible":true},\
                {"id":2054,"type":"raw_tracepoint","name":"pt_sched_switch","tag":"3d4371c37db608fb"},\
                {"id":31,"type":"tracepoint","name":"opt_thing","tag":"00"}]
                """;
        assertThat(KernelTruth.parseBpftoolProgs(json, "pt_")).containsExactly(
                new KernelTruth.BpfProgram(2054, "raw_tracepoint", "pt_sched_switch"),
                new KernelTruth.BpfProgram(2056, "raw_tracepoint", "pt_local_timer_entry"));
        assertThat(KernelTruth.parseBpftoolProgs("[]", "pt_")).isEmpty();
        assertThatThrownBy(() -> KernelTruth.parseBpftoolProgs("{\"error\":\"x\"}", "pt_"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KernelTruth.parseBpftoolProgs("Error: x", "pt_"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsTheProgIdOfAProgramOrALinkFd() {
        String prog = """
                pos:	0
                flags:	02000002
                mnt_id:	17
                ino:	1038
                prog_type:	17
                prog_jited:	1
                prog_tag:	3d4371c37db608fb
                memlock:	4096
                prog_id:	2068
                run_time_ns:	0
                """;
        String link = """
                pos:	0
                flags:	02000000
                mnt_id:	17
                ino:	1038
                link_type:	raw_tracepoint
                link_id:	1110
                prog_tag:	3d4371c37db608fb
                prog_id:	2337
                tp_name:	sched_switch
                cookie:	0
                """;
        String map = "pos:\t0\nmap_type:\t6\nmap_id:\t1662\nfrozen:\t0\n";
        assertThat(KernelTruth.parseFdinfoProgId(prog)).isEqualTo(2068L);
        assertThat(KernelTruth.parseFdinfoProgId(link)).isEqualTo(2337L);
        assertThat(KernelTruth.parseFdinfoProgId(map)).isNull();
    }

    @Test
    void theTestJvmHoldsNoBpfProgram() {
        assertThat(KernelTruth.bpfProgramIdsHeldBy(ProcessHandle.current().pid())).isEmpty();
        assertThat(KernelTruth.bpfProgramIdsHeldBy(Long.MAX_VALUE)).as("no such process").isEmpty();
    }
}
