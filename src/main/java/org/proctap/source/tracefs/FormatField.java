package org.proctap.source.tracefs;

/**
 * One {@code field:} line of a tracefs format text ({@code events/SYSTEM/EVENT/format} or
 * {@code events/header_page}), e.g. {@code field:char prev_comm[16]; offset:8; size:16; signed:0;}.
 *
 * <p>{@code type} is the declared type without the name and without an array suffix that follows
 * the name ({@code "char"} for {@code char prev_comm[16]}, {@code "int *"} for
 * {@code int * parent_tidptr}). For dynamic strings it keeps the kernel's marker,
 * {@code "__data_loc char[]"} or {@code "__rel_loc char[]"}, and {@code dataLoc} is true: the field
 * is then a u32 whose low 16 bits locate the data and whose high 16 bits are its length
 * (include/trace/stages/stage6_event_callback.h, {@code __get_dynamic_array}).
 * {@code arrayLength} is the {@code [N]} after the name, 0 when the kernel printed a symbolic length,
 * and -1 when the field is not such an array.
 */
public record FormatField(String type, String name, int offset, int size, boolean signed, boolean dataLoc,
                          int arrayLength) {

    public FormatField {
        if (offset < 0 || size < 0) {
            throw new IllegalArgumentException("field " + name + ": negative offset or size");
        }
    }

    /**
     * True for {@code __rel_loc} fields (Linux 5.19+), whose data offset counts from the end of the
     * field instead of from the start of the record (include/linux/trace_events.h).
     */
    public boolean relLoc() {
        return type.startsWith("__rel_loc");
    }

    /** End of the field in the record: the record must be at least this long to hold it. */
    public int end() {
        return offset + size;
    }

    /**
     * Parses one {@code field:DECL; offset:N; size:N; signed:N;} line (leading white space allowed).
     * {@code signed:} is missing in formats older than Linux 2.6.32 and then reads as false.
     */
    static FormatField parseLine(String line) {
        String s = line.strip();
        if (!s.startsWith("field:")) {
            throw new IllegalArgumentException("not a field line: '" + s + "'");
        }
        String[] parts = s.split(";");
        String decl = parts[0].substring("field:".length()).strip();
        int offset = -1;
        int size = -1;
        boolean signed = false;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].strip();
            int colon = part.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = part.substring(0, colon).strip();
            String value = part.substring(colon + 1).strip();
            switch (key) {
                case "offset" -> offset = parseNumber(value, line);
                case "size" -> size = parseNumber(value, line);
                case "signed" -> signed = parseNumber(value, line) != 0;
                default -> { } // newer kernels may add attributes; none changes the layout
            }
        }
        if (decl.isEmpty() || offset < 0 || size < 0) {
            throw new IllegalArgumentException("field line without declaration, offset or size: '" + s + "'");
        }
        return fromDeclaration(decl, offset, size, signed, line);
    }

    private static FormatField fromDeclaration(String decl, int offset, int size, boolean signed, String line) {
        int arrayLength = -1;
        String d = decl;
        if (d.endsWith("]")) {
            int open = d.lastIndexOf('[');
            if (open < 0) {
                throw new IllegalArgumentException("unbalanced [] in field line: '" + line.strip() + "'");
            }
            String len = d.substring(open + 1, d.length() - 1).strip();
            arrayLength = isDigits(len) ? Integer.parseInt(len) : 0;
            d = d.substring(0, open).strip();
        }
        // The name is the last identifier; what precedes it (up to a blank or a '*') is the type.
        int cut = d.length();
        while (cut > 0 && isIdentifierChar(d.charAt(cut - 1))) {
            cut--;
        }
        String name = d.substring(cut);
        String type = d.substring(0, cut).strip();
        if (name.isEmpty() || type.isEmpty()) {
            throw new IllegalArgumentException("cannot split type and name in field line: '" + line.strip() + "'");
        }
        boolean dataLoc = type.startsWith("__data_loc") || type.startsWith("__rel_loc");
        return new FormatField(type, name, offset, size, signed, dataLoc, arrayLength);
    }

    private static int parseNumber(String value, String line) {
        if (!isDigits(value)) {
            throw new IllegalArgumentException("not a number '" + value + "' in field line: '" + line.strip() + "'");
        }
        return Integer.parseInt(value);
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isIdentifierChar(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
