package org.proctap.output;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Where an output's text goes: stdout, a file, a test's byte array. Unlike PrintStream it never
 * swallows a failed write: {@link #flush} throws {@link OutputFailedException}, so a reader that
 * went away or a full disk stops proctap instead of leaving it tracing into the void.
 */
public final class Sink {
    private final OutputStream out;
    private final StringBuilder pending = new StringBuilder();

    public Sink(OutputStream out) {
        this.out = out;
    }

    public Sink print(CharSequence text) {
        pending.append(text);
        return this;
    }

    public Sink println(CharSequence line) {
        pending.append(line).append('\n');
        return this;
    }

    /** Writes what was printed; throws {@link OutputFailedException} when the write fails. */
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        byte[] bytes = pending.toString().getBytes(StandardCharsets.UTF_8);
        pending.setLength(0);
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new OutputFailedException(e);
        }
    }
}
