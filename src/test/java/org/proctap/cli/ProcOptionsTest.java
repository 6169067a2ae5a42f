package org.proctap.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.proctap.source.Backend;

import picocli.CommandLine;

/** --backend proc and --poll-hz: for proc, or for auto (which may fall back to it); 10 by default. */
class ProcOptionsTest {
    private static Options parse(String... args) {
        ProctapCommand cmd = new ProctapCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd.toOptions(null);
    }

    @Test
    void procWithItsPollRate() {
        Options o = parse("--backend", "proc", "--poll-hz", "25", "x");
        assertThat(o.backend()).isEqualTo(Backend.PROC);
        assertThat(o.pollHz()).isEqualTo(25.0);
        assertThat(parse("--backend", "proc", "x").pollHz()).isEqualTo(10.0);
        assertThat(parse("--poll-hz", "0.5", "x").pollHz()).as("auto may fall back to proc").isEqualTo(0.5);
    }

    @Test
    void aPollRateForAnEventSourceOrOutOfRangeIsAUsageError() {
        assertThatThrownBy(() -> parse("--backend", "bpf", "--poll-hz", "10", "x"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--poll-hz is for --backend proc");
        for (String bad : new String[] {"0", "-1", "0.01", "1001", "NaN"}) {
            assertThatThrownBy(() -> parse("--backend", "proc", "--poll-hz", bad, "x")).as(bad)
                    .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("0.1 to 1000");
        }
    }
}
