package org.proctap.it;

import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared by the integration tests: the preconditions (root, tracefs, the jar) fail the tests,
 * never skip them, and helpers to pick proctap's JSON objects.
 */
abstract class ItSupport {
    /** JVM start-up plus tracing set-up; generous because CI machines are slow. */
    static final Duration STARTUP = Duration.ofSeconds(30);
    static final Duration EXIT = Duration.ofSeconds(30);
    static final Duration WORKLOAD = Duration.ofSeconds(60);
    static final String RULE = "================================================";
    static final long CLONE_THREAD = 0x00010000L;

    @BeforeAll
    static void preconditions() {
        KernelTruth.requireRoot();
        KernelTruth.ensureTracefs();
        Proctap.jar();
        Workload.compile();
    }

    static boolean isType(JsonNode n, String type) {
        return type.equals(n.path("type").asText());
    }

    static List<JsonNode> ofType(List<JsonNode> all, String type) {
        return all.stream().filter(n -> isType(n, type)).toList();
    }

    /** The one object of this type matching the predicate; fails if there is none or more. */
    static JsonNode single(List<JsonNode> all, String type, String description, Predicate<JsonNode> predicate) {
        List<JsonNode> found = ofType(all, type).stream().filter(predicate).toList();
        assertThat(found).as("exactly one \"%s\" object for %s among:%n%s", type, description, ofType(all, type))
                .hasSize(1);
        return found.getFirst();
    }

    /** Like {@link #single}, but records a failure in {@code soft} and returns null instead of throwing. */
    static JsonNode single(SoftAssertions soft, List<JsonNode> all, String type, String description,
                           Predicate<JsonNode> predicate) {
        List<JsonNode> found = ofType(all, type).stream().filter(predicate).toList();
        soft.assertThat(found).as("exactly one \"%s\" object for %s among:%n%s", type, description,
                ofType(all, type)).hasSize(1);
        return found.size() == 1 ? found.getFirst() : null;
    }

    /** null for a JSON null or a missing field, else the int. */
    static Integer intOrNull(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asInt();
    }

    static String textOrNull(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** Every line has type, ts_ns (an integer) and time (ISO-8601); "start" first, "bye" last. */
    static void assertJsonLinesWellFormed(List<JsonNode> all) {
        assertThat(all).as("JSON lines").isNotEmpty();
        for (JsonNode n : all) {
            assertThat(n.path("type").isTextual()).as("\"type\" in %s", n).isTrue();
            assertThat(n.path("ts_ns").isIntegralNumber()).as("integral \"ts_ns\" in %s", n).isTrue();
            assertThat(n.path("time").isTextual()).as("\"time\" in %s", n).isTrue();
            DateTimeFormatter.ISO_DATE_TIME.parse(n.path("time").asText());
        }
        assertThat(all.getFirst().path("type").asText()).as("first JSON line's type").isEqualTo("start");
        assertThat(all.getLast().path("type").asText()).as("last JSON line's type").isEqualTo("bye");
    }

    /** The rows of the final table ("stats" with final=true). */
    static List<JsonNode> finalRows(List<JsonNode> all) {
        return ofType(all, "stats").stream().filter(n -> n.path("final").asBoolean()).toList();
    }

    /** The one "interval" object with final=true, checked against its rows. */
    static JsonNode finalInterval(List<JsonNode> all) {
        JsonNode fin = single(all, "interval", "the final table", n -> n.path("final").asBoolean());
        List<JsonNode> rows = finalRows(all);
        assertThat(fin.path("rows").asInt()).as("\"rows\" of the final interval").isEqualTo(rows.size());
        for (JsonNode row : rows) {
            assertThat(row.path("interval").asInt()).as("interval number of final row %s", row)
                    .isEqualTo(fin.path("interval").asInt());
        }
        return fin;
    }

    static long sum(List<JsonNode> rows, String field, Predicate<JsonNode> which) {
        return rows.stream().filter(which).mapToLong(r -> r.path(field).asLong()).sum();
    }

    static String percent(long measured, long truth) {
        return String.format("%+.3f%%", truth == 0 ? Double.NaN : 100.0 * (measured - truth) / truth);
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Each source, watching by name and by pid: the kernel keeps different events for each. */
    static List<Object[]> backendsAndTargets() {
        List<Object[]> all = new java.util.ArrayList<>();
        for (String b : Backends.ALL) {
            all.add(new Object[] {b, "name"});
            all.add(new Object[] {b, "pid"});
        }
        return all;
    }

    /**
     * Every one of the threads sleeps (state S) for good, so its /proc figures no longer move.
     */
    static void awaitBlocked(long pid, Iterable<Integer> tids) throws java.io.IOException, InterruptedException {
        long deadline = System.nanoTime() + WORKLOAD.toNanos();
        for (int tid : tids) {
            java.nio.file.Path stat = java.nio.file.Path.of("/proc", Long.toString(pid), "task", Integer.toString(tid),
                    "stat");
            while (true) {
                String s = java.nio.file.Files.readString(stat);
                if (s.charAt(s.lastIndexOf(')') + 2) == 'S') {
                    break;
                }
                assertThat(System.nanoTime()).as("thread %d blocks when it is done", tid).isLessThan(deadline);
                Thread.sleep(5);
            }
        }
        Thread.sleep(50);
    }
}
