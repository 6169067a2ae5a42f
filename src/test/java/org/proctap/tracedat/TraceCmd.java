package org.proctap.tracedat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Debian's trace-cmd; a missing one fails the test saying what to install. */
public final class TraceCmd {
    private TraceCmd() {
    }

    /** stdout lines and stderr text of one run that exited 0. */
    public record Output(List<String> lines, String stderr) {
    }

    public static void require() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "trace-cmd"))) {
                return;
            }
        }
        fail("trace-cmd is not installed: apt-get install trace-cmd");
    }

    public static Output run(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("trace-cmd"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(workDir, "trace-cmd", ".out");
        Path err = Files.createTempFile(workDir, "trace-cmd", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in 120 s");
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(String.join(" ", command) + " exit status; stderr: " + stderr).isZero();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        Files.delete(out);
        Files.delete(err);
        return new Output(lines, stderr);
    }
}
