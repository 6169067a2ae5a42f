package org.proctap.timeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The per-task table shown beside the timeline: named columns (process, tid, cpu, runs, on-CPU ms,
 * ...) and rows of cells, each a String, a Number or null (shown as "-", proctap's mark for a
 * figure the source does not measure). Numbers sort as numbers in the page.
 */
public record TaskTable(List<String> columns, List<List<Object>> rows) {
    public static final TaskTable EMPTY = new TaskTable(List.of(), List.of());

    public TaskTable {
        columns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            List<?> row = rows.get(r);
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException("task table row " + r + " has " + row.size() + " cells for "
                        + columns.size() + " columns");
            }
            for (int c = 0; c < row.size(); c++) {
                Object cell = row.get(c);
                if (cell != null && !(cell instanceof String) && !(cell instanceof Number)) {
                    throw new IllegalArgumentException("task table row " + r + " column " + columns.get(c)
                            + ": a " + cell.getClass().getSimpleName() + ", not a string or number");
                }
            }
            copy.add(Collections.unmodifiableList(new ArrayList<>(row))); // (List.copyOf refuses nulls)
        }
        rows = Collections.unmodifiableList(copy);
    }
}
