package org.proctap.it;

import java.util.List;
import java.util.stream.Stream;

/** The backends every integration test runs against: {@code @MethodSource("org.proctap.it.Backends#all")}. */
public final class Backends {
    /** Every parameterized IT runs against each backend. */
    static final List<String> ALL = List.of("tracefs", "bpf");

    private Backends() {
    }

    public static Stream<String> all() {
        return ALL.stream();
    }
}
