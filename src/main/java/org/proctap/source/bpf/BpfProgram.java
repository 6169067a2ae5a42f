package org.proctap.source.bpf;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * One program of a {@link BpfObject} (struct bpf_program): its name (the C function), its
 * section (SEC(), which also says where libbpf attaches it), and whether it is loaded. Lives as
 * long as its object.
 */
public final class BpfProgram {
    private final BpfObject owner;
    private final Libbpf lib;
    private final MemorySegment prog;
    private final String name;
    private final String section;

    BpfProgram(BpfObject owner, Libbpf lib, MemorySegment prog) {
        this.owner = owner;
        this.lib = lib;
        this.prog = prog;
        this.name = lib.programName(prog);
        this.section = lib.programSectionName(prog);
    }

    MemorySegment pointer() {
        return prog;
    }

    public String name() {
        return name;
    }

    /** The SEC() name, e.g. "tracepoint/sched/sched_switch" or "raw_tracepoint/sched_switch". */
    public String section() {
        return section;
    }

    /**
     * Whether {@link BpfObject#load()} loads this program (default true). Turn programs off before
     * load to choose an attach flavour at run time, e.g. tracepoint vs raw_tracepoint.
     */
    public boolean autoload() {
        owner.checkOpen();
        return lib.programAutoload(prog);
    }

    public void setAutoload(boolean autoload) {
        owner.checkBeforeLoad("setAutoload");
        int err = lib.programSetAutoload(prog, autoload);
        if (err < 0) {
            throw new LibbpfException("bpf_program__set_autoload", err, "program '" + name + "'", List.of());
        }
    }

    /** The program's fd after load. */
    public int fd() {
        owner.checkLoaded("fd");
        int fd = lib.programFd(prog);
        if (fd < 0) {
            throw new IllegalStateException("program '" + name + "' was not loaded (autoload is off)");
        }
        return fd;
    }

    /** Attaches by section name (bpf_program__attach); the link is also owned by the object. */
    public BpfLink attach() {
        return owner.attach(this);
    }

    @Override
    public String toString() {
        return "BpfProgram[" + name + " @ " + section + "]";
    }
}
