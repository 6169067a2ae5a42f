package org.proctap.source.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A BPF ELF object opened by libbpf (struct bpf_object): its maps and programs, loaded into the
 * kernel by {@link #load()}, attached by {@link #attachAll()} or {@link BpfProgram#attach()}.
 *
 * <p>Life cycle: open (from bytes) → set {@code const volatile} globals through {@link #rodata()}
 * and choose programs/map sizes → {@link #load()} → attach → read maps / poll ring buffers →
 * {@link #close()}. The object owns every link and ring buffer made from it: close() shuts
 * those first, then frees the object, which closes all program and map fds. close() is
 * idempotent and may be called from any thread, but only after other threads stopped using the
 * object's maps (a closed fd number may be reused).
 *
 * <p>Not thread-safe for set-up (open → attach); map reads and one ring-buffer poller may run on
 * other threads once attached.
 */
public final class BpfObject implements AutoCloseable {
    /** How many lines of libbpf's log a failed load/attach carries in its exception. */
    static final int LOG_TAIL = 25;

    private final Libbpf lib;
    private final String name;
    private final Arena preload = Arena.ofShared(); // what must not be touched after load()
    private final Map<String, BpfMap> maps = new LinkedHashMap<>();
    private final Map<String, BpfProgram> programs = new LinkedHashMap<>();
    private final Set<AutoCloseable> dependents = Collections.synchronizedSet(new LinkedHashSet<>());
    private final Map<String, GlobalData> globals = new LinkedHashMap<>();
    private MemorySegment obj;
    private volatile boolean closed;
    private boolean loadAttempted;
    private boolean loaded;

    private BpfObject(Libbpf lib, String name, MemorySegment obj) {
        this.lib = lib;
        this.name = name;
        this.obj = obj;
        for (MemorySegment m = lib.objectNextMap(obj, MemorySegment.NULL); !m.equals(MemorySegment.NULL);
                m = lib.objectNextMap(obj, m)) {
            BpfMap map = new BpfMap(this, lib, m);
            maps.put(map.name(), map);
        }
        for (MemorySegment p = lib.objectNextProgram(obj, MemorySegment.NULL); !p.equals(MemorySegment.NULL);
                p = lib.objectNextProgram(obj, p)) {
            BpfProgram prog = new BpfProgram(this, lib, p);
            programs.put(prog.name(), prog);
        }
    }

    /**
     * Opens an object from its ELF bytes (bpf_object__open_mem). {@code name} becomes the
     * object name, which prefixes the kernel names of its internal maps ("probe_te.rodata");
     * giving it keeps those names stable instead of libbpf's "<address>-<size>" default.
     */
    public static BpfObject open(Libbpf lib, String name, byte[] elf) {
        try (Arena arena = Arena.ofConfined(); LibbpfLog.Capture log = LibbpfLog.capture()) {
            // struct bpf_object_open_opts (libbpf 1.1, x86-64): size_t sz @0; const char
            // *object_name @8; ... __u32 kernel_log_level @72; sizeof 80. libbpf accepts any sz
            // up to its own as long as the bytes beyond what it knows are zero (OPTS_VALID).
            MemorySegment opts = arena.allocate(80, 8);
            opts.set(ValueLayout.JAVA_LONG, 0, opts.byteSize());
            opts.set(ValueLayout.ADDRESS, 8, arena.allocateFrom(name));
            // libbpf is done with the buffer when open returns (libbpf.c bpf_object__elf_finish).
            MemorySegment buf = arena.allocate(Math.max(1, elf.length), 8);
            MemorySegment.copy(elf, 0, buf, ValueLayout.JAVA_BYTE, 0, elf.length);
            MemorySegment errno = Libbpf.errnoState(arena);
            MemorySegment obj = lib.objectOpenMem(errno, buf, elf.length, opts);
            if (obj.equals(MemorySegment.NULL)) {
                int e = Libbpf.errno(errno);
                throw new LibbpfException("bpf_object__open_mem", e,
                        "object '" + name + "': " + BpfHints.open(e), log.tail(LOG_TAIL));
            }
            return new BpfObject(lib, name, obj);
        }
    }

    /**
     * Opens an object stored as a class-path resource, e.g. "org/proctap/bpf/sched.bpf.o"; the
     * object name is the file name without ".bpf.o"/".o".
     */
    public static BpfObject openResource(Libbpf lib, String resource) {
        ClassLoader loader = BpfObject.class.getClassLoader();
        byte[] bytes;
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no BPF object " + resource + " on the class path"
                        + " (run scripts/build-bpf)");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
        String file = resource.substring(resource.lastIndexOf('/') + 1);
        String objName = file.replaceFirst("(\\.bpf)?\\.o$", "");
        return open(lib, objName, bytes);
    }

    public String name() {
        return name;
    }

    public Libbpf libbpf() {
        return lib;
    }

    public boolean isLoaded() {
        return loaded;
    }

    /** Maps by libbpf name; internal maps appear as e.g. "probe_te.rodata". */
    public Map<String, BpfMap> maps() {
        return Collections.unmodifiableMap(maps);
    }

    /** Programs by name (the C function name), in ELF order. */
    public Map<String, BpfProgram> programs() {
        return Collections.unmodifiableMap(programs);
    }

    /** A map by its name, or an internal map by its section (".rodata", ".bss"). */
    public Optional<BpfMap> findMap(String mapName) {
        checkOpen();
        BpfMap direct = maps.get(mapName);
        if (direct != null) {
            return Optional.of(direct);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = lib.objectFindMapByName(obj, arena.allocateFrom(mapName));
            if (m.equals(MemorySegment.NULL)) {
                return Optional.empty();
            }
            return maps.values().stream().filter(x -> x.pointer().equals(m)).findFirst();
        }
    }

    public BpfMap map(String mapName) {
        return findMap(mapName).orElseThrow(() -> new IllegalArgumentException(
                "object '" + name + "' has no map '" + mapName + "' (it has " + maps.keySet() + ")"));
    }

    public BpfProgram program(String programName) {
        checkOpen();
        BpfProgram p = programs.get(programName);
        if (p == null) {
            throw new IllegalArgumentException("object '" + name + "' has no program '" + programName
                    + "' (it has " + programs.keySet() + ")");
        }
        return p;
    }

    /**
     * The object's {@code .rodata}: its {@code const volatile} globals, writable until
     * {@link #load()} freezes them.
     */
    public GlobalData rodata() {
        return globals(".rodata");
    }

    /** The initial contents of a global-data section (".rodata", ".data", ".bss"), before load. */
    public GlobalData globals(String section) {
        checkBeforeLoad("globals");
        GlobalData g = globals.get(section);
        if (g == null) {
            BpfMap map = findMap(section).orElseThrow(() -> new IllegalArgumentException(
                    "object '" + name + "' has no " + section + " section (no globals of that kind)"));
            g = GlobalData.of(lib, obj, map, section, preload);
            globals.put(section, g);
        }
        return g;
    }

    /**
     * Creates the maps and loads the programs into the kernel (bpf_object__load). On failure
     * the object cannot be loaded again: close it. The exception carries the tail of libbpf's
     * log, which for a rejected program ends with the verifier's reason.
     */
    public synchronized void load() {
        checkBeforeLoad("load");
        loadAttempted = true;
        // .rodata is re-mapped read-only by load: drop every segment that could write to it.
        preload.close();
        try (LibbpfLog.Capture log = LibbpfLog.capture()) {
            int err = lib.objectLoad(obj);
            if (err < 0) {
                throw new LibbpfException("bpf_object__load", err,
                        BpfHints.load(err, log.lines()), log.tail(LOG_TAIL));
            }
        }
        loaded = true;
    }

    /**
     * Attaches every loaded program by its section name. If one fails, the links made so far
     * are closed and the exception names the program.
     */
    public synchronized List<BpfLink> attachAll() {
        checkLoaded("attachAll");
        List<BpfLink> links = new ArrayList<>();
        try {
            for (BpfProgram p : programs.values()) {
                if (lib.programAutoload(p.pointer())) {
                    links.add(attach(p));
                }
            }
        } catch (RuntimeException e) {
            links.forEach(BpfLink::close);
            throw e;
        }
        return List.copyOf(links);
    }

    /** Attaches one program by name; see {@link BpfProgram#attach()}. */
    public BpfLink attach(String programName) {
        return attach(program(programName));
    }

    synchronized BpfLink attach(BpfProgram p) {
        checkLoaded("attach");
        try (Arena arena = Arena.ofConfined(); LibbpfLog.Capture log = LibbpfLog.capture()) {
            MemorySegment errno = Libbpf.errnoState(arena);
            MemorySegment link = lib.programAttach(errno, p.pointer());
            if (link.equals(MemorySegment.NULL)) {
                int e = Libbpf.errno(errno);
                String hint = BpfHints.attach(p.name(), p.section(), e);
                throw new LibbpfException("bpf_program__attach", e,
                        "program '" + p.name() + "' (" + p.section() + ")" + (hint == null ? "" : ": " + hint),
                        log.tail(LOG_TAIL));
            }
            BpfLink l = new BpfLink(this, lib, link, p.name(), p.section());
            dependents.add(l);
            return l;
        }
    }

    /** Registers a ring buffer (or other helper) to be closed before the object. */
    void own(AutoCloseable dependent) {
        dependents.add(dependent);
    }

    void forget(AutoCloseable dependent) {
        dependents.remove(dependent);
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("BPF object '" + name + "' is closed");
        }
    }

    void checkBeforeLoad(String what) {
        checkOpen();
        if (loadAttempted) {
            throw new IllegalStateException(what + ": BPF object '" + name + "' was already loaded"
                    + " (globals and programs are fixed at load)");
        }
    }

    void checkLoaded(String what) {
        checkOpen();
        if (!loaded) {
            throw new IllegalStateException(what + ": BPF object '" + name + "' is not loaded (call load() first)");
        }
    }

    public boolean isOpen() {
        return !closed;
    }

    /** Closes ring buffers and links (newest first), then the object with its maps and programs. */
    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            synchronized (dependents) {
                toClose = new ArrayList<>(dependents);
            }
        }
        Collections.reverse(toClose);
        RuntimeException failure = null;
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing " + c, e);
                }
            }
        }
        synchronized (this) {
            if (preload.scope().isAlive()) {
                preload.close();
            }
            lib.objectClose(obj);
            obj = MemorySegment.NULL;
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "BpfObject[" + name + (closed ? ", closed" : loaded ? ", loaded" : "") + "]";
    }
}
