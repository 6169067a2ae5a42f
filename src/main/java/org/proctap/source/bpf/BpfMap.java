package org.proctap.source.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.proctap.sys.Errno;

/**
 * One map of a {@link BpfObject} (struct bpf_map): its shape, and after load the element
 * operations on its fd. Keys and values are raw bytes in the BPF program's layout
 * (little-endian); mirror the shared header's structs in Java to decode them.
 *
 * <p>Per-CPU maps (PERCPU_HASH, PERCPU_ARRAY, LRU_PERCPU_HASH) hold one value per possible CPU:
 * a lookup returns {@link #possibleCpus()} slots of {@code round_up(value_size, 8)} bytes
 * (kernel/bpf/syscall.c bpf_map_value_size); {@link #valueBufferSize()} is the whole size and
 * {@link #cpuValue} slices one CPU's value out.
 *
 * <p>Element operations are safe from any thread (each is one bpf() syscall) while the object
 * is open. A hash map changing during iteration may repeat or skip keys: get_next_key restarts
 * from the first key when the current one was deleted (kernel/bpf/hashtab.c).
 */
public final class BpfMap {
    public static final int TYPE_HASH = 1;
    public static final int TYPE_ARRAY = 2;
    public static final int TYPE_PERCPU_HASH = 5;
    public static final int TYPE_PERCPU_ARRAY = 6;
    public static final int TYPE_LRU_HASH = 9;
    public static final int TYPE_LRU_PERCPU_HASH = 10;
    public static final int TYPE_RINGBUF = 27;

    /** bpf_map_update_elem flags. */
    public static final long BPF_ANY = 0;
    public static final long BPF_NOEXIST = 1;
    public static final long BPF_EXIST = 2;

    private static final int ENOTSUPP = 524;
    private static final int DEFAULT_BATCH = 256;
    private static final long BATCH_OPTS_SIZE = 24; // struct bpf_map_batch_opts {sz, elem_flags, flags}

    /** Receives entries from {@link #forEach}; the segments are valid only during the call. */
    @FunctionalInterface
    public interface EntryVisitor {
        void visit(MemorySegment key, MemorySegment value);
    }

    /** A copied entry; for per-CPU maps {@code value} holds every CPU's slot. */
    public record Entry(byte[] key, byte[] value) {
    }

    private final BpfObject owner;
    private final Libbpf lib;
    private final MemorySegment map;
    private final String name;
    private final int type;
    private final int keySize;
    private int valueSize;
    private final boolean perCpu;
    private int fd = -1;

    BpfMap(BpfObject owner, Libbpf lib, MemorySegment map) {
        this.owner = owner;
        this.lib = lib;
        this.map = map;
        this.name = lib.mapName(map);
        this.type = lib.mapType(map);
        this.keySize = lib.mapKeySize(map);
        this.valueSize = lib.mapValueSize(map);
        this.perCpu = type == TYPE_PERCPU_HASH || type == TYPE_PERCPU_ARRAY || type == TYPE_LRU_PERCPU_HASH;
    }

    MemorySegment pointer() {
        return map;
    }

    BpfObject owner() {
        return owner;
    }

    public String name() {
        return name;
    }

    /** The BPF_MAP_TYPE_* number (constants TYPE_* above for the common ones). */
    public int type() {
        return type;
    }

    public int keySize() {
        return keySize;
    }

    /** The declared value size; see {@link #valueBufferSize()} for per-CPU maps. */
    public int valueSize() {
        return valueSize;
    }

    public int maxEntries() {
        owner.checkOpen();
        return lib.mapMaxEntries(map);
    }

    /** Resizes the map before load (e.g. a ring buffer: a power of two multiple of the page size). */
    public void setMaxEntries(int maxEntries) {
        owner.checkBeforeLoad("setMaxEntries");
        int err = lib.mapSetMaxEntries(map, maxEntries);
        if (err < 0) {
            throw new LibbpfException("bpf_map__set_max_entries", err, "map '" + name + "'", List.of());
        }
    }

    /** Sets the value size before load (a map declared without a BTF value type). */
    public void setValueSize(int size) {
        owner.checkBeforeLoad("setValueSize");
        int err = lib.mapSetValueSize(map, size);
        if (err < 0) {
            throw new LibbpfException("bpf_map__set_value_size", err, "map '" + name + "'", List.of());
        }
        valueSize = lib.mapValueSize(map);
    }

    public boolean isPerCpu() {
        return perCpu;
    }

    public int possibleCpus() {
        return lib.possibleCpus();
    }

    /** Bytes between two CPUs' values in a per-CPU value: round_up(value_size, 8). */
    public int cpuStride() {
        return (valueSize + 7) & ~7;
    }

    /** The size of a value as lookups return it: value_size, or possibleCpus × stride for per-CPU maps. */
    public int valueBufferSize() {
        return perCpu ? lib.possibleCpus() * cpuStride() : valueSize;
    }

    /** One CPU's value within a per-CPU value. */
    public MemorySegment cpuValue(MemorySegment value, int cpu) {
        return value.asSlice((long) cpu * cpuStride(), valueSize);
    }

    /** One CPU's value within a per-CPU value, as a little-endian buffer. */
    public ByteBuffer cpuValue(byte[] value, int cpu) {
        return ByteBuffer.wrap(value, cpu * cpuStride(), valueSize).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The map's fd; the map exists in the kernel only after {@link BpfObject#load()}. */
    public int fd() {
        owner.checkLoaded("map '" + name + "'");
        if (fd < 0) {
            fd = lib.mapFd(map);
            if (fd < 0) {
                throw new IllegalStateException("map '" + name + "' was not created");
            }
        }
        return fd;
    }

    private int liveFd() {
        owner.checkOpen();
        return fd();
    }

    private LibbpfException failure(String function, int err) {
        return new LibbpfException(function, err, "map '" + name + "'", List.of());
    }

    // ---- single elements ----

    /**
     * Copies the value of {@code key} into {@code value} (at least {@link #valueBufferSize()}
     * bytes, native memory). Returns false when the key is absent.
     */
    public boolean lookup(MemorySegment key, MemorySegment value) {
        checkSizes(key, value);
        int err = lib.mapLookupElem(liveFd(), key, value);
        if (err == -Errno.ENOENT) {
            return false;
        }
        if (err < 0) {
            throw failure("bpf_map_lookup_elem", err);
        }
        return true;
    }

    public Optional<byte[]> lookup(byte[] key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(valueBufferSize(), 8);
            return lookup(keySegment(arena, key), value)
                    ? Optional.of(value.toArray(ValueLayout.JAVA_BYTE))
                    : Optional.empty();
        }
    }

    /** {@code flags}: {@link #BPF_ANY}, {@link #BPF_NOEXIST} or {@link #BPF_EXIST}. */
    public void update(MemorySegment key, MemorySegment value, long flags) {
        checkSizes(key, value);
        int err = lib.mapUpdateElem(liveFd(), key, value, flags);
        if (err < 0) {
            throw failure("bpf_map_update_elem", err);
        }
    }

    public void update(byte[] key, byte[] value) {
        update(key, value, BPF_ANY);
    }

    /** {@code value} must be {@link #valueBufferSize()} bytes (all CPUs' slots for per-CPU maps). */
    public void update(byte[] key, byte[] value, long flags) {
        if (value.length != valueBufferSize()) {
            throw new IllegalArgumentException("map '" + name + "' values are " + valueBufferSize()
                    + " bytes, got " + value.length);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(value.length, 8);
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            update(keySegment(arena, key), v, flags);
        }
    }

    /** Returns false when the key was absent. Array maps cannot delete (EINVAL). */
    public boolean delete(MemorySegment key) {
        if (key.byteSize() < keySize) {
            throw new IllegalArgumentException("map '" + name + "' keys are " + keySize + " bytes");
        }
        int err = lib.mapDeleteElem(liveFd(), key);
        if (err == -Errno.ENOENT) {
            return false;
        }
        if (err < 0) {
            throw failure("bpf_map_delete_elem", err);
        }
        return true;
    }

    public boolean delete(byte[] key) {
        try (Arena arena = Arena.ofConfined()) {
            return delete(keySegment(arena, key));
        }
    }

    // ---- whole map ----

    /** Every key, by bpf_map_get_next_key. */
    public List<byte[]> keys() {
        int fd = liveFd();
        List<byte[]> keys = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment current = arena.allocate(Math.max(1, keySize), 8);
            MemorySegment next = arena.allocate(Math.max(1, keySize), 8);
            MemorySegment prev = MemorySegment.NULL; // NULL: start from the first key
            while (true) {
                int err = lib.mapGetNextKey(fd, prev, next);
                if (err == -Errno.ENOENT) {
                    return keys;
                }
                if (err < 0) {
                    throw failure("bpf_map_get_next_key", err);
                }
                keys.add(next.toArray(ValueLayout.JAVA_BYTE));
                current.copyFrom(next);
                prev = current;
            }
        }
    }

    /** Every entry, copied; see {@link #forEach(EntryVisitor)}. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        forEach((k, v) -> out.add(new Entry(k.toArray(ValueLayout.JAVA_BYTE), v.toArray(ValueLayout.JAVA_BYTE))));
        return out;
    }

    /** Visits every entry with batched lookups; returns the number visited. */
    public int forEach(EntryVisitor visitor) {
        return forEach(DEFAULT_BATCH, visitor);
    }

    /**
     * Visits every entry, {@code batchSize} at a time, with bpf_map_lookup_batch (Linux 5.6+,
     * hash and array maps including per-CPU ones). The end of the map is -ENOENT with a valid
     * partial count. A hash bucket larger than the batch fails with -ENOSPC
     * (kernel/bpf/hashtab.c __htab_map_lookup_and_delete_batch): the batch is doubled and the
     * call retried. Maps without batch support fall back to get_next_key + lookup.
     */
    public int forEach(int batchSize, EntryVisitor visitor) {
        int fd = liveFd();
        int chunk = Math.max(1, Math.min(batchSize, Math.max(1, maxEntries())));
        int valueBytes = valueBufferSize();
        int tokenBytes = Math.max(keySize, 8); // htab's batch token is a u32 bucket; arrays' a key
        int total = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = arena.allocate(BATCH_OPTS_SIZE, 8);
            opts.set(ValueLayout.JAVA_LONG, 0, BATCH_OPTS_SIZE);
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment in = arena.allocate(tokenBytes, 8);
            MemorySegment out = arena.allocate(tokenBytes, 8);
            MemorySegment keys = arena.allocate((long) keySize * chunk, 8);
            MemorySegment values = arena.allocate((long) valueBytes * chunk, 8);
            MemorySegment inBatch = MemorySegment.NULL; // NULL: from the start
            while (true) {
                count.set(ValueLayout.JAVA_INT, 0, chunk);
                int err = lib.mapLookupBatch(fd, inBatch, out, keys, values, count, opts);
                if (err < 0 && err != -Errno.ENOENT) {
                    int e = -err;
                    if (e == Errno.ENOSPC && chunk < Integer.MAX_VALUE / 2) {
                        chunk *= 2;
                        keys = arena.allocate((long) keySize * chunk, 8);
                        values = arena.allocate((long) valueBytes * chunk, 8);
                        continue;
                    }
                    if (total == 0 && inBatch.equals(MemorySegment.NULL)
                            && (e == ENOTSUPP || e == Errno.ENOTSUP)) {
                        return forEachByKey(visitor);
                    }
                    throw failure("bpf_map_lookup_batch", err);
                }
                int n = count.get(ValueLayout.JAVA_INT, 0);
                for (int i = 0; i < n; i++) {
                    visitor.visit(keys.asSlice((long) i * keySize, keySize),
                            values.asSlice((long) i * valueBytes, valueBytes));
                }
                total += n;
                if (err == -Errno.ENOENT) {
                    return total;
                }
                in.copyFrom(out);
                inBatch = in;
            }
        }
    }

    private int forEachByKey(EntryVisitor visitor) {
        int n = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(valueBufferSize(), 8);
            for (byte[] key : keys()) {
                MemorySegment k = keySegment(arena, key);
                if (lookup(k, value)) { // may have been deleted meanwhile
                    visitor.visit(k, value);
                    n++;
                }
            }
        }
        return n;
    }

    private MemorySegment keySegment(Arena arena, byte[] key) {
        if (key.length != keySize) {
            throw new IllegalArgumentException("map '" + name + "' keys are " + keySize + " bytes, got " + key.length);
        }
        MemorySegment k = arena.allocate(Math.max(1, keySize), 8);
        MemorySegment.copy(key, 0, k, ValueLayout.JAVA_BYTE, 0, key.length);
        return k;
    }

    private void checkSizes(MemorySegment key, MemorySegment value) {
        if (key.byteSize() < keySize || value.byteSize() < valueBufferSize()) {
            throw new IllegalArgumentException("map '" + name + "' needs a " + keySize + "-byte key and a "
                    + valueBufferSize() + "-byte value buffer");
        }
        if (!key.isNative() || !value.isNative()) {
            throw new IllegalArgumentException("map '" + name + "': pass native segments (or use the byte[] methods)");
        }
    }

    @Override
    public String toString() {
        return "BpfMap[" + name + ", type " + type + ", key " + keySize + ", value " + valueSize + "]";
    }
}
