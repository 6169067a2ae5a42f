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
    /**
     * Text held before it is written on anyway: a table of ten thousand short-lived processes
     * is tens of MB of JSON, which must not have to fit in the heap at once.
     */
    static final int HOLD_CHARS = 1 << 16;

    private final OutputStream out;
    private final StringBuilder pending = new StringBuilder();

    public Sink(OutputStream out) {
        this.out = out;
    }

    /** Holds text; writes what is held once it passes {@link #HOLD_CHARS} (a failure: see {@link #flush}). */
    public Sink print(CharSequence text) {
        pending.append(text);
        return spill();
    }

    public Sink println(CharSequence line) {
        pending.append(line).append('\n');
        return spill();
    }

    private Sink spill() {
        if (pending.length() > HOLD_CHARS) {
            flush();
        }
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
