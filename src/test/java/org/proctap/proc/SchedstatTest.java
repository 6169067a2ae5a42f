package org.proctap.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;

class SchedstatTest {
    private static Schedstat parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return Schedstat.parse(b, b.length);
    }

    @Test
    void readsTheKernelsLine() throws Exception {
        byte[] b = Files.readAllBytes(Path.of("src/test/resources/fixtures/linux-6.18/proc-task/sleeping.schedstat"));
        Schedstat s = Schedstat.parse(b, b.length);
        String[] f = new String(b, StandardCharsets.US_ASCII).strip().split(" ");
        assertThat(s).isEqualTo(new Schedstat(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
    }

    @Test
    void handWrittenLines() {
        assertThat(parse("0 0 0\n")).isEqualTo(new Schedstat(0, 0, 0));
        assertThat(parse("9223372036854775799 12 3")).isEqualTo(new Schedstat(9223372036854775799L, 12, 3));
        assertThat(parse("1\t2 3 4")).isEqualTo(new Schedstat(1, 2, 3));
    }

    @Test
    void refusesWhatIsNotASchedstatLine() {
        for (String bad : new String[] {"", "1 2", "1 2 x", "-1 2 3", "99999999999999999999 1 1", "a b c"}) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void truncatedAndFlippedBytesNeverThrowAnythingElse() throws Exception {
        byte[] good = Files.readAllBytes(Path.of("src/test/resources/fixtures/linux-6.18/proc-task/sleeping.schedstat"));
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = good.clone();
            int n = random.nextInt(b.length + 1);
            if (random.nextBoolean() && n > 0) {
                b[random.nextInt(n)] ^= (byte) (1 << random.nextInt(8));
            }
            try {
                Schedstat s = Schedstat.parse(b, n);
                assertThat(s.oncpuNs()).isNotNegative();
                assertThat(s.runDelayNs()).isNotNegative();
                assertThat(s.pcount()).isNotNegative();
            } catch (IllegalArgumentException expected) {
                // what to say about a line that is not one
            }
        }
    }
}
