package org.proctap.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Log2Slots;

/** The histogram text is runqlat's (libbpf-tools print_log2_hist), as proctap's --hist prints it in the README. */
class WaitHistogramTest {

    @Test
    void printsLikeRunqlat() {
        long[] counts = new long[Log2Slots.COUNT];
        counts[3] = 2;
        counts[5] = 1;
        counts[6] = 1;
        counts[7] = 2;
        counts[10] = 6;
        counts[14] = 7;
        counts[16] = 6;
        assertThat(new WaitHistogram("w", counts).text()).isEqualTo("""
                     usecs               : count    distribution
                         0 -> 1          : 0        |                                        |
                         2 -> 3          : 0        |                                        |
                         4 -> 7          : 0        |                                        |
                         8 -> 15         : 2        |***********                             |
                        16 -> 31         : 0        |                                        |
                        32 -> 63         : 1        |*****                                   |
                        64 -> 127        : 1        |*****                                   |
                       128 -> 255        : 2        |***********                             |
                       256 -> 511        : 0        |                                        |
                       512 -> 1023       : 0        |                                        |
                      1024 -> 2047       : 6        |**********************************      |
                      2048 -> 4095       : 0        |                                        |
                      4096 -> 8191       : 0        |                                        |
                      8192 -> 16383      : 0        |                                        |
                     16384 -> 32767      : 7        |****************************************|
                     32768 -> 65535      : 0        |                                        |
                     65536 -> 131071     : 6        |**********************************      |
                """);
        assertThat(new WaitHistogram("w", counts).total()).isEqualTo(25);
    }

    @Test
    void theLastSlotHasNoBoundAndNothingIsNone() {
        long[] counts = new long[Log2Slots.COUNT];
        assertThat(new WaitHistogram("w", counts).text()).isEqualTo("none\n");
        counts[Log2Slots.COUNT - 1] = 1;
        assertThat(new WaitHistogram("w", counts).text().lines().toList().getLast())
                .isEqualTo("  67108864 -> inf        : 1        |****************************************|");
    }
}
