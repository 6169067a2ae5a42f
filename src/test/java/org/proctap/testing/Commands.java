package org.proctap.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a helper program (gcc, a compiled probe) for a test, which fails if it does. */
public final class Commands {
    private Commands() {
    }

    /** Its output (stdout and stderr together); fails the test unless it exits 0 within a minute. */
    public static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        assertThat(p.exitValue()).as("%s failed:%n%s", command, out).isZero();
        return out;
    }
}
