package org.proctap.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * proctap report on a real recording of this kernel (fixtures/linux-6.18/recording/short.dat,
 * see its README) cut short and with bytes flipped, strict and with --partial: it always ends, with
 * exit 0 or with exit 1 and one line saying what and where; nothing else escapes.
 */
class ReportFuzzTest {
    static final Path RECORDING = Path.of("src/test/resources/fixtures/linux-6.18/recording/short.dat");
    static final int CASES = 300;

    @Test
    void aDamagedRecordingIsOneLineOrAReportNeverAHangOrAStackTrace(@TempDir Path dir) throws Exception {
        byte[] good = Files.readAllBytes(RECORDING);
        assertThat(run(dir, good, false)[0]).as("the recording as it is").isZero();
        Random random = new Random(20261203);
        int[] outcomes = new int[2];
        for (int i = 0; i < CASES; i++) {
            byte[] bad;
            if (i % 2 == 0) {
                bad = java.util.Arrays.copyOf(good, random.nextInt(good.length));
            } else {
                bad = good.clone();
                int flips = 1 + random.nextInt(16);
                for (int f = 0; f < flips; f++) {
                    bad[random.nextInt(bad.length)] ^= (byte) (1 + random.nextInt(255));
                }
            }
            for (boolean partial : new boolean[] {false, true}) {
                int[] r = run(dir, bad, partial);
                outcomes[r[0]]++;
            }
        }
        System.out.printf("report fuzz: %d cases x strict and --partial: %d reported, %d refused in one line%n",
                CASES, outcomes[0], outcomes[1]);
        assertThat(outcomes[1]).as("some damage is refused").isPositive();
        assertThat(outcomes[0]).as("some damage is reported").isPositive();
    }

    /** {exit status}, after checking what a failure printed. */
    private static int[] run(Path dir, byte[] bytes, boolean partial) throws Exception {
        Path file = dir.resolve("case.dat");
        Files.write(file, bytes);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = partial ? new String[] {"report", "--partial", "-i", "0.05", file.toString()}
                : new String[] {"report", "-i", "0.05", file.toString()};
        int code = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> Main.run(args, out, new PrintStream(err, true, StandardCharsets.UTF_8)));
        String said = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as("exit status (stderr: %s)", said).isIn(0, 1);
        if (code == 1) {
            assertThat(said.lines().toList()).as("what a refusal says").hasSize(1)
                    .allMatch(l -> l.startsWith("proctap: " + file));
        } else {
            assertThat(said.lines()).as("notices of a report").allMatch(l -> l.startsWith("proctap: "));
        }
        return new int[] {code};
    }
}
