package org.proctap.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NameMatcherTest {
    @Test
    void substringAsTheSeed() {
        NameMatcher m = NameMatcher.of("stress", false, false);
        assertThat(m.matches("stress")).isTrue();
        assertThat(m.matches("stress-ng-cpu")).isTrue();
        assertThat(m.matches("bash")).isFalse();
        assertThat(m.kernelGlob()).isEqualTo("*stress*");
    }

    @Test
    void namesLongerThanACommMatchTheirFirst15Bytes() {
        assertThat(NameMatcher.of("my-long-process-name", true, false).matches("my-long-process")).isTrue();
    }

    @Test
    void exactAndRegex() {
        assertThat(NameMatcher.of("java", true, false).matches("javac")).isFalse();
        assertThat(NameMatcher.of("^kworker/[0-9]+:", false, true).matches("kworker/1:2")).isTrue();
        assertThat(NameMatcher.of("a*", false, true).kernelGlob()).isNull();
    }
}
