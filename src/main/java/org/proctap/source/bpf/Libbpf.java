package org.proctap.source.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.proctap.sys.Errno;

/**
 * libbpf.so.1 loaded through java.lang.foreign, with one downcall handle per function proctap
 * uses. The methods are thin: they pass C values through and return libbpf's result unchanged
 * ({@code -errno} for int-returning calls; NULL for pointer-returning ones, with errno captured
 * into the caller's {@link #errnoState} segment). {@link BpfObject}, {@link BpfMap} and
 * {@link RingBuffer} turn failures into {@link LibbpfException}s.
 *
 * <p>Needs libbpf 1.0 or newer: since 1.0 libbpf always reports errors as NULL + errno or
 * -errno (0.x returned ERR_PTR-encoded pointers unless strict mode was set). Every function bound
 * here exists in 1.1.2, the version Debian 12 ships; 1.1 lacks ring_buffer__ring,
 * ring_buffer__consume_n and bpf_prog_get_info_by_fd.
 *
 * <p>The library is {@code libbpf.so.1} from the system's search path unless the system property
 * {@value #LIBRARY_PROPERTY} names a file, or a directory holding libbpf.so.1.
 */
public final class Libbpf {
    public static final String LIBRARY_PROPERTY = "proctap.libbpf";
    static final String DEFAULT_LIBRARY = "libbpf.so.1";

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final Map<String, Libbpf> LOADED = new HashMap<>();

    private final String source;
    private final SymbolLookup lookup;
    private final String version;
    private final int possibleCpus;

    private final MethodHandle objectOpenMem;
    private final MethodHandle objectLoad;
    private final MethodHandle objectClose;
    private final MethodHandle objectNextMap;
    private final MethodHandle objectNextProgram;
    private final MethodHandle objectFindMapByName;
    private final MethodHandle objectBtf;
    private final MethodHandle mapName;
    private final MethodHandle mapFd;
    private final MethodHandle mapType;
    private final MethodHandle mapKeySize;
    private final MethodHandle mapValueSize;
    private final MethodHandle mapMaxEntries;
    private final MethodHandle mapSetMaxEntries;
    private final MethodHandle mapSetValueSize;
    private final MethodHandle mapInitialValue;
    private final MethodHandle programName;
    private final MethodHandle programSectionName;
    private final MethodHandle programFd;
    private final MethodHandle programSetAutoload;
    private final MethodHandle programAutoload;
    private final MethodHandle programAttach;
    private final MethodHandle linkDestroy;
    private final MethodHandle linkFd;
    private final MethodHandle iterCreate;
    private final MethodHandle mapLookupElem;
    private final MethodHandle mapUpdateElem;
    private final MethodHandle mapDeleteElem;
    private final MethodHandle mapGetNextKey;
    private final MethodHandle mapLookupBatch;
    private final MethodHandle ringBufferNew;
    private final MethodHandle ringBufferPoll;
    private final MethodHandle ringBufferConsume;
    private final MethodHandle ringBufferFree;
    private final MethodHandle btfFindByNameKind;
    private final MethodHandle btfTypeById;
    private final MethodHandle btfNameByOffset;

    /**
     * The libbpf this process uses: {@value #DEFAULT_LIBRARY}, or what {@value #LIBRARY_PROPERTY}
     * names. Loaded once per distinct library; failures are not cached.
     */
    public static Libbpf get() throws BpfUnavailableException {
        String spec = System.getProperty(LIBRARY_PROPERTY, "");
        synchronized (LOADED) {
            Libbpf lib = LOADED.get(spec);
            if (lib == null) {
                lib = new Libbpf(spec.isEmpty() ? null : Path.of(spec));
                LOADED.put(spec, lib);
            }
            return lib;
        }
    }

    private Libbpf(Path override) throws BpfUnavailableException {
        this.lookup = open(override);
        this.source = override == null ? DEFAULT_LIBRARY : override.toString();

        MethodHandle major = handle("libbpf_major_version", FunctionDescriptor.of(JAVA_INT));
        MethodHandle minor = handle("libbpf_minor_version", FunctionDescriptor.of(JAVA_INT));
        int maj;
        int min;
        try {
            maj = (int) major.invokeExact();
            min = (int) minor.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (maj < 1) {
            throw new BpfUnavailableException("libbpf " + maj + "." + min + " at " + source
                    + " is too old (need 1.0 or newer; install libbpf1)");
        }
        this.version = maj + "." + min;

        objectOpenMem = handle("bpf_object__open_mem", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), true);
        objectLoad = handle("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        objectClose = handle("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
        objectNextMap = handle("bpf_object__next_map", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        objectNextProgram = handle("bpf_object__next_program", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        objectFindMapByName = handle("bpf_object__find_map_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        objectBtf = handle("bpf_object__btf", FunctionDescriptor.of(ADDRESS, ADDRESS));
        mapName = handle("bpf_map__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
        mapFd = handle("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        mapType = handle("bpf_map__type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        mapKeySize = handle("bpf_map__key_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        mapValueSize = handle("bpf_map__value_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        mapMaxEntries = handle("bpf_map__max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        mapSetMaxEntries = handle("bpf_map__set_max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        mapSetValueSize = handle("bpf_map__set_value_size", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        mapInitialValue = handle("bpf_map__initial_value", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        programName = handle("bpf_program__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
        programSectionName = handle("bpf_program__section_name", FunctionDescriptor.of(ADDRESS, ADDRESS));
        programFd = handle("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        programSetAutoload = handle("bpf_program__set_autoload", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BOOLEAN));
        programAutoload = handle("bpf_program__autoload", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
        programAttach = handle("bpf_program__attach", FunctionDescriptor.of(ADDRESS, ADDRESS), true);
        linkDestroy = handle("bpf_link__destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        linkFd = handle("bpf_link__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        iterCreate = handle("bpf_iter_create", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        mapLookupElem = handle("bpf_map_lookup_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        mapUpdateElem = handle("bpf_map_update_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        mapDeleteElem = handle("bpf_map_delete_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        mapGetNextKey = handle("bpf_map_get_next_key", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        mapLookupBatch = handle("bpf_map_lookup_batch",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        ringBufferNew = handle("ring_buffer__new", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS), true);
        ringBufferPoll = handle("ring_buffer__poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        ringBufferConsume = handle("ring_buffer__consume", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        ringBufferFree = handle("ring_buffer__free", FunctionDescriptor.ofVoid(ADDRESS));
        btfFindByNameKind = handle("btf__find_by_name_kind", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        btfTypeById = handle("btf__type_by_id", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        btfNameByOffset = handle("btf__name_by_offset", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));

        MethodHandle cpus = handle("libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));
        MethodHandle setPrint = handle("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
        try {
            int n = (int) cpus.invokeExact();
            if (n <= 0) {
                throw new BpfUnavailableException("libbpf_num_possible_cpus: " + Errno.describe(n)
                        + ": cannot read /sys/devices/system/cpu/possible");
            }
            this.possibleCpus = n;
            if (LibbpfLog.supported()) {
                MemorySegment unused = (MemorySegment) setPrint.invokeExact(LibbpfLog.printCallback());
            }
        } catch (BpfUnavailableException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static SymbolLookup open(Path override) throws BpfUnavailableException {
        Arena forever = Arena.global(); // libbpf stays mapped: its objects may live until exit
        if (override == null) {
            try {
                return SymbolLookup.libraryLookup(DEFAULT_LIBRARY, forever);
            } catch (IllegalArgumentException e) {
                throw new BpfUnavailableException(DEFAULT_LIBRARY
                        + " not found (install libbpf1, e.g. apt-get install libbpf1)", e);
            }
        }
        Path file = Files.isDirectory(override) ? override.resolve(DEFAULT_LIBRARY) : override;
        if (!Files.isRegularFile(file)) {
            throw new BpfUnavailableException((file == override ? "libbpf not found at " + file
                    : DEFAULT_LIBRARY + " not found in " + override) + " (check -D" + LIBRARY_PROPERTY + ")");
        }
        if (!isElf(file)) {
            // dlopen would fail too, but HotSpot then prints a stack-guard warning to stderr
            throw new BpfUnavailableException(file + " is not a shared library (check -D" + LIBRARY_PROPERTY + ")");
        }
        try {
            return SymbolLookup.libraryLookup(file, forever);
        } catch (IllegalArgumentException e) {
            throw new BpfUnavailableException("cannot load " + file
                    + " as a shared library (check -D" + LIBRARY_PROPERTY + ")", e);
        }
    }

    private static boolean isElf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    private MethodHandle handle(String name, FunctionDescriptor descriptor) throws BpfUnavailableException {
        return handle(name, descriptor, false);
    }

    private MethodHandle handle(String name, FunctionDescriptor descriptor, boolean captureErrno)
            throws BpfUnavailableException {
        MemorySegment symbol = lookup.find(name).orElseThrow(() -> new BpfUnavailableException(
                source + " has no " + name + " (need libbpf 1.0 or newer; install libbpf1)"));
        return captureErrno
                ? LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO)
                : LINKER.downcallHandle(symbol, descriptor);
    }

    /** "1.1": libbpf_major_version.libbpf_minor_version. */
    public String version() {
        return version;
    }

    /** Where the library came from: "libbpf.so.1" or the path given in the property. */
    public String source() {
        return source;
    }

    /**
     * Possible CPUs (/sys/devices/system/cpu/possible, via libbpf_num_possible_cpus): the number
     * of slots in a per-CPU map value, which can exceed the online CPUs.
     */
    public int possibleCpus() {
        return possibleCpus;
    }

    /** A segment for errno capture by the pointer-returning calls below. */
    static MemorySegment errnoState(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** A C string at a native address, or null for NULL. */
    static String string(MemorySegment p) {
        return p.equals(MemorySegment.NULL) ? null : p.reinterpret(Long.MAX_VALUE).getString(0);
    }

    private static AssertionError fatal(Throwable t) {
        // A downcall only throws for a linkage bug (wrong descriptor/arity): never expected.
        return new AssertionError("libbpf downcall failed", t);
    }

    // ---- struct bpf_object ----

    MemorySegment objectOpenMem(MemorySegment errnoState, MemorySegment buf, long size, MemorySegment opts) {
        try { return (MemorySegment) objectOpenMem.invokeExact(errnoState, buf, size, opts); } catch (Throwable t) { throw fatal(t); }
    }

    int objectLoad(MemorySegment obj) {
        try { return (int) objectLoad.invokeExact(obj); } catch (Throwable t) { throw fatal(t); }
    }

    void objectClose(MemorySegment obj) {
        try { objectClose.invokeExact(obj); } catch (Throwable t) { throw fatal(t); }
    }

    MemorySegment objectNextMap(MemorySegment obj, MemorySegment prev) {
        try { return (MemorySegment) objectNextMap.invokeExact(obj, prev); } catch (Throwable t) { throw fatal(t); }
    }

    MemorySegment objectNextProgram(MemorySegment obj, MemorySegment prev) {
        try { return (MemorySegment) objectNextProgram.invokeExact(obj, prev); } catch (Throwable t) { throw fatal(t); }
    }

    /** Also finds internal maps by section name (".rodata"), libbpf.c bpf_object__find_map_by_name. */
    MemorySegment objectFindMapByName(MemorySegment obj, MemorySegment name) {
        try { return (MemorySegment) objectFindMapByName.invokeExact(obj, name); } catch (Throwable t) { throw fatal(t); }
    }

    MemorySegment objectBtf(MemorySegment obj) {
        try { return (MemorySegment) objectBtf.invokeExact(obj); } catch (Throwable t) { throw fatal(t); }
    }

    // ---- struct bpf_map ----

    String mapName(MemorySegment map) {
        try { return string((MemorySegment) mapName.invokeExact(map)); } catch (Throwable t) { throw fatal(t); }
    }

    int mapFd(MemorySegment map) {
        try { return (int) mapFd.invokeExact(map); } catch (Throwable t) { throw fatal(t); }
    }

    int mapType(MemorySegment map) {
        try { return (int) mapType.invokeExact(map); } catch (Throwable t) { throw fatal(t); }
    }

    int mapKeySize(MemorySegment map) {
        try { return (int) mapKeySize.invokeExact(map); } catch (Throwable t) { throw fatal(t); }
    }

    int mapValueSize(MemorySegment map) {
        try { return (int) mapValueSize.invokeExact(map); } catch (Throwable t) { throw fatal(t); }
    }

    int mapMaxEntries(MemorySegment map) {
        try { return (int) mapMaxEntries.invokeExact(map); } catch (Throwable t) { throw fatal(t); }
    }

    int mapSetMaxEntries(MemorySegment map, int maxEntries) {
        try { return (int) mapSetMaxEntries.invokeExact(map, maxEntries); } catch (Throwable t) { throw fatal(t); }
    }

    int mapSetValueSize(MemorySegment map, int size) {
        try { return (int) mapSetValueSize.invokeExact(map, size); } catch (Throwable t) { throw fatal(t); }
    }

    /** The mmap-ed initial contents of an internal map; its size is stored at {@code sizeOut}. */
    MemorySegment mapInitialValue(MemorySegment map, MemorySegment sizeOut) {
        try { return (MemorySegment) mapInitialValue.invokeExact(map, sizeOut); } catch (Throwable t) { throw fatal(t); }
    }

    // ---- struct bpf_program / bpf_link ----

    String programName(MemorySegment prog) {
        try { return string((MemorySegment) programName.invokeExact(prog)); } catch (Throwable t) { throw fatal(t); }
    }

    String programSectionName(MemorySegment prog) {
        try { return string((MemorySegment) programSectionName.invokeExact(prog)); } catch (Throwable t) { throw fatal(t); }
    }

    int programFd(MemorySegment prog) {
        try { return (int) programFd.invokeExact(prog); } catch (Throwable t) { throw fatal(t); }
    }

    int programSetAutoload(MemorySegment prog, boolean autoload) {
        try { return (int) programSetAutoload.invokeExact(prog, autoload); } catch (Throwable t) { throw fatal(t); }
    }

    boolean programAutoload(MemorySegment prog) {
        try { return (boolean) programAutoload.invokeExact(prog); } catch (Throwable t) { throw fatal(t); }
    }

    MemorySegment programAttach(MemorySegment errnoState, MemorySegment prog) {
        try { return (MemorySegment) programAttach.invokeExact(errnoState, prog); } catch (Throwable t) { throw fatal(t); }
    }

    int linkDestroy(MemorySegment link) {
        try { return (int) linkDestroy.invokeExact(link); } catch (Throwable t) { throw fatal(t); }
    }

    int linkFd(MemorySegment link) {
        try { return (int) linkFd.invokeExact(link); } catch (Throwable t) { throw fatal(t); }
    }

    /** A new fd reading one run of the iterator attached by {@code linkFd}, or -errno. */
    int iterCreate(int linkFd) {
        try { return (int) iterCreate.invokeExact(linkFd); } catch (Throwable t) { throw fatal(t); }
    }

    // ---- map syscalls by fd (bpf.h): 0 or -errno ----

    int mapLookupElem(int fd, MemorySegment key, MemorySegment value) {
        try { return (int) mapLookupElem.invokeExact(fd, key, value); } catch (Throwable t) { throw fatal(t); }
    }

    int mapUpdateElem(int fd, MemorySegment key, MemorySegment value, long flags) {
        try { return (int) mapUpdateElem.invokeExact(fd, key, value, flags); } catch (Throwable t) { throw fatal(t); }
    }

    int mapDeleteElem(int fd, MemorySegment key) {
        try { return (int) mapDeleteElem.invokeExact(fd, key); } catch (Throwable t) { throw fatal(t); }
    }

    int mapGetNextKey(int fd, MemorySegment key, MemorySegment nextKey) {
        try { return (int) mapGetNextKey.invokeExact(fd, key, nextKey); } catch (Throwable t) { throw fatal(t); }
    }

    int mapLookupBatch(int fd, MemorySegment inBatch, MemorySegment outBatch, MemorySegment keys,
            MemorySegment values, MemorySegment count, MemorySegment opts) {
        try { return (int) mapLookupBatch.invokeExact(fd, inBatch, outBatch, keys, values, count, opts); } catch (Throwable t) { throw fatal(t); }
    }

    // ---- struct ring_buffer ----

    MemorySegment ringBufferNew(MemorySegment errnoState, int mapFd, MemorySegment callback, MemorySegment ctx,
            MemorySegment opts) {
        try { return (MemorySegment) ringBufferNew.invokeExact(errnoState, mapFd, callback, ctx, opts); } catch (Throwable t) { throw fatal(t); }
    }

    /** Runs the sample callback upcall; RingBuffer's callback catches everything itself. */
    int ringBufferPoll(MemorySegment rb, int timeoutMs) {
        try { return (int) ringBufferPoll.invokeExact(rb, timeoutMs); } catch (Throwable t) { throw fatal(t); }
    }

    int ringBufferConsume(MemorySegment rb) {
        try { return (int) ringBufferConsume.invokeExact(rb); } catch (Throwable t) { throw fatal(t); }
    }

    void ringBufferFree(MemorySegment rb) {
        try { ringBufferFree.invokeExact(rb); } catch (Throwable t) { throw fatal(t); }
    }

    // ---- struct btf (read-only use, to find global variables) ----

    int btfFindByNameKind(MemorySegment btf, MemorySegment name, int kind) {
        try { return (int) btfFindByNameKind.invokeExact(btf, name, kind); } catch (Throwable t) { throw fatal(t); }
    }

    MemorySegment btfTypeById(MemorySegment btf, int id) {
        try { return (MemorySegment) btfTypeById.invokeExact(btf, id); } catch (Throwable t) { throw fatal(t); }
    }

    String btfNameByOffset(MemorySegment btf, int offset) {
        try { return string((MemorySegment) btfNameByOffset.invokeExact(btf, offset)); } catch (Throwable t) { throw fatal(t); }
    }
}
