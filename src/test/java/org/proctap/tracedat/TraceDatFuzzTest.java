package org.proctap.tracedat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random truncations and byte flips of real recordings, read in both modes down to the last
 * page: never a hang (each case is bounded by the file size; the whole run by a timeout), never an
 * exception other than TraceDatException, whose message is one line.
 */
class TraceDatFuzzTest {
    private static final int CASES = 4000;

    @ParameterizedTest
    @ValueSource(strings = {"sched-v6.dat", "sched-v7.dat", "written-v6"})
    void damagedFilesFailWithOneLineOrRead(String name) {
        byte[] original = name.equals("written-v6") ? written() : Fixtures.file(name);
        // Most of the metadata lies before the first page: aim half of the flips there.
        int metadataEnd = firstPageOffset(original);
        long seed = 0x7d1f_2026L ^ name.hashCode();
        SplittableRandom random = new SplittableRandom(seed);
        int[] outcomes = new int[3]; // read whole, read partially, refused
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int c = 0; c < CASES; c++) {
                byte[] bytes = mutate(original, random, metadataEnd);
                for (TraceDatReader.Mode mode : TraceDatReader.Mode.values()) {
                    outcomes[read(bytes, mode, name, c)]++;
                }
            }
        });
        // The cases reach all three outcomes, or the fuzzing is not doing its job.
        assertThat(Arrays.stream(outcomes).min().orElseThrow()).as("fewest cases of one outcome").isGreaterThan(20);
        System.out.printf("fuzz %s: %d cases x 2 modes: %d read whole, %d partial, %d refused%n", name, CASES,
                outcomes[0], outcomes[1], outcomes[2]);
    }

    private static byte[] mutate(byte[] original, SplittableRandom random, int metadataEnd) {
        byte[] bytes = original;
        int kind = random.nextInt(3);
        if (kind != 1) { // truncate
            bytes = Arrays.copyOf(original, random.nextInt(original.length + 1));
        } else {
            bytes = original.clone();
        }
        if (kind != 0 && bytes.length > 0) { // flip 1 to 8 bytes
            int flips = 1 + random.nextInt(8);
            for (int i = 0; i < flips; i++) {
                int limit = random.nextBoolean() ? Math.min(metadataEnd, bytes.length) : bytes.length;
                int at = random.nextInt(limit);
                bytes[at] = random.nextBoolean() ? (byte) random.nextInt(256) : (byte) (bytes[at] ^ (1 << random.nextInt(8)));
            }
        }
        return bytes;
    }

    /** 0 when read whole, 1 when read with problems, 2 when refused. */
    private static int read(byte[] bytes, TraceDatReader.Mode mode, String name, int c) {
        try (TraceDatReader r = TraceDatReader.open(Fixtures.channel(bytes), mode)) {
            long pages = 0;
            for (int i = 0; i < r.cpuCount(); i++) {
                for (Iterator<ByteBuffer> it = r.subBuffers(i); it.hasNext(); ) {
                    assertThat(it.next().remaining()).isEqualTo(r.header().pageSize());
                    pages++;
                }
                assertThat(pages).isLessThanOrEqualTo(bytes.length / r.header().pageSize());
            }
            return r.file().problems().isEmpty() ? 0 : 1;
        } catch (TraceDatException e) {
            assertThat(e.getMessage()).as("message of case %d", c).isNotBlank().doesNotContain("\n");
            return 2;
        } catch (Throwable t) {
            fail(name + " case " + c + " (" + mode + ", " + bytes.length + " bytes): " + t, t);
            return -1;
        }
    }

    private static int firstPageOffset(byte[] file) {
        try (TraceDatReader r = Fixtures.open(file)) {
            return (int) r.file().cpus().getFirst().offset();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] written() {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("tracedat-fuzz");
            java.nio.file.Path file = dir.resolve("w.dat");
            TracefsFixture.load("fixtures/linux-6.18/process-lifecycle").write(file, java.util.Map.of(1, "init"),
                    java.util.List.of(new TraceDatOption(TraceDatOption.PROCTAP, new byte[] {'{', '}'})));
            byte[] b = java.nio.file.Files.readAllBytes(file);
            java.nio.file.Files.delete(file);
            java.nio.file.Files.delete(dir);
            return b;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
