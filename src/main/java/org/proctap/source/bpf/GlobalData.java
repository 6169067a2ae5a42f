package org.proctap.source.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The initial contents of one global-data section of a {@link BpfObject} before load, usually
 * {@code .rodata}: the {@code const volatile} globals a program reads as configuration.
 *
 * <p>Variables are found by name in the object's BTF: the section's DATASEC lists each
 * variable's offset and size. Those offsets are only right after libbpf opened the object
 * (clang 14 leaves them 0 in the ELF and libbpf fills them in from the symbol table,
 * libbpf.c btf_fixup_datasec), which is why this reads libbpf's BTF rather than the file.
 * Callers that share a header with the BPF side can also write at known offsets through
 * {@link #segment()}.
 *
 * <p>Writes go straight into libbpf's copy (bpf_map__initial_value), which becomes the map's
 * contents at load. load() then maps {@code .rodata} read-only, so every segment handed out
 * here stops working at load (touching it throws instead of crashing the JVM).
 * Values are little-endian, the byte order of the BPF objects proctap builds (bpfel).
 */
public final class GlobalData {
    /** A global variable: its offset and size within the section. */
    public record Variable(String name, long offset, long size) {
    }

    private static final int BTF_KIND_VAR = 14;
    private static final int BTF_KIND_DATASEC = 15;
    private static final int BTF_TYPE_SIZE = 12;      // struct btf_type
    private static final int BTF_SECINFO_SIZE = 12;   // struct btf_var_secinfo {type, offset, size}
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED; // BTF: host order
    private static final ValueLayout.OfShort LE16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String section;
    private final MemorySegment data;
    private final Map<String, Variable> variables;

    private GlobalData(String section, MemorySegment data, Map<String, Variable> variables) {
        this.section = section;
        this.data = data;
        this.variables = variables;
    }

    static GlobalData of(Libbpf lib, MemorySegment obj, BpfMap map, String section, Arena untilLoad) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sizeOut = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment p = lib.mapInitialValue(map.pointer(), sizeOut);
            if (p.equals(MemorySegment.NULL)) {
                throw new IllegalStateException(section + " of map '" + map.name() + "' has no initial value");
            }
            long size = sizeOut.get(ValueLayout.JAVA_LONG, 0);
            MemorySegment data = p.reinterpret(size, untilLoad, null);
            return new GlobalData(section, data, readVariables(lib, obj, section, arena));
        }
    }

    private static Map<String, Variable> readVariables(Libbpf lib, MemorySegment obj, String section, Arena arena) {
        Map<String, Variable> vars = new LinkedHashMap<>();
        MemorySegment btf = lib.objectBtf(obj);
        if (btf.equals(MemorySegment.NULL)) {
            return vars; // built without -g: only raw offsets are available
        }
        int id = lib.btfFindByNameKind(btf, arena.allocateFrom(section), BTF_KIND_DATASEC);
        if (id <= 0) {
            return vars;
        }
        MemorySegment head = lib.btfTypeById(btf, id).reinterpret(BTF_TYPE_SIZE);
        int vlen = head.get(U32, 4) & 0xffff;
        MemorySegment sec = head.reinterpret(BTF_TYPE_SIZE + (long) vlen * BTF_SECINFO_SIZE);
        for (int i = 0; i < vlen; i++) {
            long at = BTF_TYPE_SIZE + (long) i * BTF_SECINFO_SIZE;
            int varType = sec.get(U32, at);
            long offset = Integer.toUnsignedLong(sec.get(U32, at + 4));
            long size = Integer.toUnsignedLong(sec.get(U32, at + 8));
            MemorySegment var = lib.btfTypeById(btf, varType).reinterpret(BTF_TYPE_SIZE);
            int kind = (var.get(U32, 4) >>> 24) & 0x1f;
            if (kind != BTF_KIND_VAR) {
                continue;
            }
            String name = lib.btfNameByOffset(btf, var.get(U32, 0));
            if (name != null) {
                vars.put(name, new Variable(name, offset, size));
            }
        }
        return vars;
    }

    public String section() {
        return section;
    }

    public long size() {
        return data.byteSize();
    }

    /** Every named variable of the section, in BTF order. */
    public Map<String, Variable> variables() {
        return Collections.unmodifiableMap(variables);
    }

    public Variable variable(String name) {
        Variable v = variables.get(name);
        if (v == null) {
            throw new IllegalArgumentException(section + " has no variable '" + name + "' (it has "
                    + variables.keySet() + "; globals need `const volatile` and the object -g)");
        }
        return v;
    }

    /** The whole section, for callers that know the layout; invalid after load. */
    public MemorySegment segment() {
        return data;
    }

    private MemorySegment slot(String name, long expectedSize) {
        if (!data.scope().isAlive()) {
            throw new IllegalStateException(section + " is frozen once the object is loaded or closed:"
                    + " set globals before load()");
        }
        Variable v = variable(name);
        if (expectedSize >= 0 && v.size() != expectedSize) {
            throw new IllegalArgumentException(section + " variable '" + name + "' is " + v.size()
                    + " bytes, not " + expectedSize);
        }
        return data.asSlice(v.offset(), v.size());
    }

    public GlobalData setBoolean(String name, boolean value) {
        slot(name, 1).set(ValueLayout.JAVA_BYTE, 0, (byte) (value ? 1 : 0));
        return this;
    }

    public GlobalData setByte(String name, byte value) {
        slot(name, 1).set(ValueLayout.JAVA_BYTE, 0, value);
        return this;
    }

    public GlobalData setShort(String name, short value) {
        slot(name, 2).set(LE16, 0, value);
        return this;
    }

    public GlobalData setInt(String name, int value) {
        slot(name, 4).set(LE32, 0, value);
        return this;
    }

    public GlobalData setLong(String name, long value) {
        slot(name, 8).set(LE64, 0, value);
        return this;
    }

    /** Writes {@code bytes} at the start of the variable and zeroes the rest (e.g. a char[16]). */
    public GlobalData setBytes(String name, byte[] bytes) {
        MemorySegment s = slot(name, -1);
        if (bytes.length > s.byteSize()) {
            throw new IllegalArgumentException(section + " variable '" + name + "' holds " + s.byteSize()
                    + " bytes, got " + bytes.length);
        }
        s.fill((byte) 0);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return this;
    }

    public int getInt(String name) {
        return slot(name, 4).get(LE32, 0);
    }

    public long getLong(String name) {
        return slot(name, 8).get(LE64, 0);
    }

    public byte[] getBytes(String name) {
        return slot(name, -1).toArray(ValueLayout.JAVA_BYTE);
    }
}
