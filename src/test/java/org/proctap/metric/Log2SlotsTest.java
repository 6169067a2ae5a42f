package org.proctap.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proctap.testing.Commands;

/**
 * The slots of a --hist histogram, in Java and in the BPF program's pt_hist.h (compiled here with
 * gcc): the edges 0, 1, every power of two and its neighbours, and the largest values.
 */
class Log2SlotsTest {
    @Test
    void zeroAndOneShareTheFirstSlotAndEachPowerOfTwoStartsOne() {
        assertThat(Log2Slots.of(0)).isZero();
        assertThat(Log2Slots.of(1)).isZero();
        assertThat(Log2Slots.of(2)).isEqualTo(1);
        assertThat(Log2Slots.of(3)).isEqualTo(1);
        assertThat(Log2Slots.of(4)).isEqualTo(2);
        for (int i = 1; i < Log2Slots.COUNT; i++) {
            assertThat(Log2Slots.of(1L << i)).as("2^%d", i).isEqualTo(i);
            assertThat(Log2Slots.of((1L << i) - 1)).as("2^%d - 1", i).isEqualTo(i - 1);
            assertThat(Log2Slots.low(i)).isEqualTo(1L << i);
        }
        assertThat(Log2Slots.ofNs(999)).as("under a microsecond").isZero();
        assertThat(Log2Slots.ofNs(3_000_000)).as("3 ms: 2048..4095 us").isEqualTo(11);
        assertThat(Log2Slots.ofNs(-5)).isZero();
    }

    @Test
    void theLastSlotHoldsEverythingLongerAndHasNoUpperBound() {
        int last = Log2Slots.COUNT - 1;
        assertThat(Log2Slots.of(1L << last)).isEqualTo(last);
        assertThat(Log2Slots.of(1L << 40)).isEqualTo(last);
        assertThat(Log2Slots.of(Long.MAX_VALUE)).isEqualTo(last);
        assertThat(Log2Slots.high(last)).isEqualTo(-1);
        assertThat(Log2Slots.high(last - 1)).isEqualTo((1L << last) - 1);
    }

    @Test
    void boundsTileTheRangeWithoutGapsOrOverlaps() {
        assertThat(Log2Slots.low(0)).isZero();
        assertThat(Log2Slots.high(0)).isEqualTo(1);
        for (int i = 1; i < Log2Slots.COUNT; i++) {
            assertThat(Log2Slots.low(i)).isEqualTo(Log2Slots.high(i - 1) + 1);
            assertThat(Log2Slots.of(Log2Slots.low(i))).isEqualTo(i);
            if (i < Log2Slots.COUNT - 1) {
                assertThat(Log2Slots.of(Log2Slots.high(i))).isEqualTo(i);
            }
        }
    }

    @Test
    void theBpfProgramBucketsEveryNanosecondValueTheSame(@TempDir Path dir) throws Exception {
        List<Long> ns = new ArrayList<>(List.of(0L, 1L, 999L, 1000L, 1999L, 2000L, 3_000_000L, -1L, Long.MAX_VALUE,
                Long.MIN_VALUE));
        for (int b = 0; b < 64; b++) {
            long p = 1L << b;
            ns.addAll(List.of(p - 1, p, p + 1, p * 1000 - 1, p * 1000));
        }
        Path header = Path.of("src/main/bpf/pt_hist.h").toAbsolutePath();
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include \"" + header + "\"\n"
                + "static const unsigned long long v[] = {");
        for (long x : ns) {
            c.append(Long.toUnsignedString(x)).append("ULL,");
        }
        c.append("};\nint main(void) { for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++)"
                + " printf(\"%u\\n\", pt_hist_slot(v[i])); return 0; }\n");
        Path src = dir.resolve("slots.c");
        Files.writeString(src, c);
        Path bin = dir.resolve("slots");
        Commands.run(List.of("gcc", "-Wall", "-Werror", "-o", bin.toString(), src.toString()));
        List<Integer> fromC = Commands.run(List.of(bin.toString())).lines().map(Integer::parseInt).toList();
        List<Integer> fromJava = new ArrayList<>();
        for (long x : ns) {
            // the program's lengths are unsigned: a negative long here is a huge u64
            fromJava.add(x < 0 ? Log2Slots.COUNT - 1 : Log2Slots.ofNs(x));
        }
        assertThat(fromC).containsExactlyElementsOf(fromJava);
    }
}
