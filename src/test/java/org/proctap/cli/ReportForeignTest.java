package org.proctap.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** proctap report on files trace-cmd wrote on this kernel (fixtures/linux-6.18/tracedat). */
class ReportForeignTest {
    private static final String DIR = "src/test/resources/fixtures/linux-6.18/tracedat/";

    private static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, out, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void aTraceCmdFileWithoutTheKernelsChargesIsRefusedSayingWhatToRecord() {
        // (trace-cmd extract of sched_switch, wakeups, fork, exec, exit: no sched_stat_runtime)
        for (String f : new String[] {"sched-v6.dat", "sched-v7.dat"}) {
            String[] r = run("report", "-i", "0", DIR + f);
            assertThat(r[0]).as("exit status").isEqualTo("1");
            assertThat(r[2].lines().toList()).singleElement().asString()
                    .contains(f + ": no sched:sched_stat_runtime events").contains("trace-cmd -e sched_stat_runtime");
        }
    }

    @Test
    void aCompressedTraceCmdFileIsOneLineSayingHowToUncompressIt() {
        String[] r = run("report", DIR + "sched-v7-zstd.dat");
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2].lines().toList()).singleElement().asString().contains("trace-cmd convert --compression none");
    }

    @Test
    void aFileOfAnotherKindIsOneLine() {
        String[] r = run("report", "pom.xml");
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2].lines().toList()).singleElement().asString().contains("not a trace.dat file");
    }
}
