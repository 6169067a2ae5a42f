package org.proctap.source.tracefs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An event's {@code events/SYSTEM/NAME/format} text, parsed: its numeric id (the value of
 * {@code common_type} in its records, different on every kernel build) and its fields, common ones
 * included, in file order. The text looks like this (kernel/trace/trace_events.c, f_show):
 * <pre>
 * name: sched_switch
 * ID: 372
 * format:
 * 	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
 * 	...
 *
 * 	field:char prev_comm[16];	offset:8;	size:16;	signed:0;
 * 	...
 *
 * print fmt: "prev_comm=%s ...", REC->prev_comm, ...
 * </pre>
 */
public record EventFormat(String system, String name, int id, List<FormatField> fields) {

    public EventFormat {
        fields = List.copyOf(fields);
    }

    /** Parses a format text; {@code system} names the directory it came from (the text does not say). */
    public static EventFormat parse(String system, String formatText) {
        String name = null;
        int id = -1;
        List<FormatField> fields = new ArrayList<>();
        for (String raw : formatText.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("print fmt:")) {
                break; // the rest is the print format, which may span anything
            }
            if (line.startsWith("name:")) {
                name = line.substring("name:".length()).strip();
            } else if (line.startsWith("ID:")) {
                String value = line.substring("ID:".length()).strip();
                try {
                    id = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "format of " + system + "/" + name + ": ID '" + value + "' is not a number");
                }
            } else if (line.startsWith("field:")) {
                try {
                    fields.add(FormatField.parseLine(line));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("format of " + system + "/" + name + ": " + e.getMessage(), e);
                }
            }
        }
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("format text for system " + system + " has no 'name:' line");
        }
        if (id < 0) {
            throw new IllegalArgumentException("format of " + system + "/" + name + " has no 'ID:' line");
        }
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("format of " + system + "/" + name + " has no field lines");
        }
        return new EventFormat(system, name, id, fields);
    }

    /** The named field; IllegalArgumentException naming the event and the field when it is missing. */
    public FormatField field(String fieldName) {
        return findField(fieldName).orElseThrow(() -> new IllegalArgumentException(
                "event " + system + "/" + name + " has no field '" + fieldName + "' on this kernel"));
    }

    public Optional<FormatField> findField(String fieldName) {
        for (FormatField f : fields) {
            if (f.name().equals(fieldName)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Length of the fixed part of a record: every field's bytes lie below this offset. */
    public int fixedLength() {
        int end = 0;
        for (FormatField f : fields) {
            end = Math.max(end, f.end());
        }
        return end;
    }
}
