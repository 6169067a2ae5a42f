package org.proctap.source.bpf;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An attached program (struct bpf_link). Closing it detaches the program (bpf_link__destroy);
 * close is idempotent. The {@link BpfObject} that made the link owns it too and closes it on its
 * own close, so forgetting a link never leaves a program attached past the object.
 */
public final class BpfLink implements AutoCloseable {
    private final BpfObject owner;
    private final Libbpf lib;
    private final MemorySegment link;
    private final String program;
    private final String section;
    private final AtomicBoolean closed = new AtomicBoolean();

    BpfLink(BpfObject owner, Libbpf lib, MemorySegment link, String program, String section) {
        this.owner = owner;
        this.lib = lib;
        this.link = link;
        this.program = program;
        this.section = section;
    }

    /** The program's name (its C function name). */
    public String program() {
        return program;
    }

    /** Where it is attached: the program's SEC() name, e.g. "tracepoint/sched/sched_switch". */
    public String section() {
        return section;
    }

    public boolean isOpen() {
        return !closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            // Frees the link even when detaching reports an error; nothing useful to do with it.
            int unused = lib.linkDestroy(link);
            owner.forget(this);
        }
    }

    @Override
    public String toString() {
        return "BpfLink[" + program + " @ " + section + (isOpen() ? "" : ", closed") + "]";
    }
}
