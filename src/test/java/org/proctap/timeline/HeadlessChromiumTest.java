package org.proctap.timeline;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Without chromium the browser tests fail, saying what to install; they never skip. */
class HeadlessChromiumTest {
    @Test
    void aMissingBrowserFailsSayingWhatToInstall() {
        assertThatThrownBy(() -> HeadlessChromium.find(List.of(Path.of("/nonexistent/chromium"))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("apt-get install chromium");
    }
}
