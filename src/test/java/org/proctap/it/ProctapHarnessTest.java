package org.proctap.it;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The subprocess harness, on a shell script standing in for proctap. */
class ProctapHarnessTest {
    static final String FAKE = """
            echo '{"type":"start","ts_ns":1,"time":"2025-01-01T00:00:00Z"}'
            echo 'err line' >&2
            trap 'echo "{\\"type\\":\\"bye\\",\\"ts_ns\\":2,\\"time\\":\\"2025-01-01T00:00:01Z\\"}"; exit 0' TERM
            while :; do sleep 0.05; done
            """;

    @Test
    @Timeout(30)
    void waitsForJsonSignalsAndCollects() {
        try (Proctap p = Proctap.startCommand(List.of("/bin/sh", "-c", FAKE))) {
            JsonNode start = p.awaitStart(Duration.ofSeconds(10));
            assertThat(start.path("ts_ns").asLong()).isEqualTo(1);
            assertThat(p.isAlive()).isTrue();
            p.signal(Proctap.SIGTERM);
            assertThat(p.waitFor(Duration.ofSeconds(10))).isZero();
            List<JsonNode> all = p.json();
            assertThat(all).extracting(n -> n.path("type").asText()).containsExactly("start", "bye");
            ItSupport.assertJsonLinesWellFormed(all);
            assertThat(p.stderr()).containsExactly("err line");
        }
    }

    @Test
    @Timeout(30)
    void failsWithTheOutputWhenALineNeverComes() {
        try (Proctap p = Proctap.startCommand(List.of("/bin/sh", "-c", "echo one; echo oops >&2; sleep 20"))) {
            assertThatThrownBy(() -> p.awaitLine("two", "two"::equals, Duration.ofMillis(300)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("waiting for two").hasMessageContaining("one").hasMessageContaining("oops");
        }
    }

    @Test
    @Timeout(30)
    void failsAtOnceWhenStdoutEnds() {
        try (Proctap p = Proctap.startCommand(List.of("/bin/sh", "-c", "echo one; exit 3"))) {
            assertThatThrownBy(() -> p.awaitLine("two", "two"::equals, Duration.ofSeconds(20)))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("stdout ended");
            assertThat(p.waitFor(Duration.ofSeconds(5))).isEqualTo(3);
        }
    }

    @Test
    @Timeout(30)
    void reportsANonJsonLine() {
        try (Proctap p = Proctap.startCommand(List.of("/bin/sh", "-c", "echo '{\"type\":\"start\"}'; echo plain"))) {
            p.waitFor(Duration.ofSeconds(5));
            assertThatThrownBy(p::json).isInstanceOf(AssertionError.class).hasMessageContaining("line 2");
        }
    }

    @Test
    @Timeout(30)
    void closeKillsWhatStillRuns() {
        Proctap p = Proctap.startCommand(List.of("sleep", "60"));
        p.close();
        assertThat(p.isAlive()).isFalse();
    }

    @Test
    @Timeout(30)
    void runsTheTestsJava() {
        assertThat(Proctap.java()).endsWith("/java");
        List<String> cmd = Proctap.javaCommand(java.nio.file.Path.of("/x/proctap.jar"), List.of("-i", "0", "x"));
        assertThat(cmd).containsExactly(Proctap.java(), "--enable-native-access=ALL-UNNAMED", "-jar",
                "/x/proctap.jar", "-i", "0", "x");
    }
}
