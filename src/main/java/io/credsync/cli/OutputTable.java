package io.credsync.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain text table: columns padded to their widest cell, two spaces apart, the last column
 * unpadded so that a long reason can run on. Cells are made safe with {@link OutputText#safe}.
 *
 * <p>Not thread-safe; build one per table.
 */
final class OutputTable {

    private final String[] headers;
    private final List<String[]> rows = new ArrayList<>();

    OutputTable(String... headers) {
        this.headers = headers.clone();
    }

    /** Adds a row of as many cells as there are headers; a null cell prints as empty. */
    OutputTable row(String... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException(cells.length + " cells for " + headers.length + " columns");
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "" : OutputText.safe(c)).toArray(String[]::new));
        return this;
    }

    /** Prints the header and the rows, each line starting with {@code indent}. */
    void print(PrintWriter out, String indent) {
        int[] widths = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            widths[i] = headers[i].length();
            for (String[] row : rows) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        line(out, indent, headers, widths);
        rows.forEach(row -> line(out, indent, row, widths));
    }

    private static void line(PrintWriter out, String indent, String[] cells, int[] widths) {
        StringBuilder text = new StringBuilder(indent);
        for (int i = 0; i < cells.length; i++) {
            text.append(cells[i]);
            if (i < cells.length - 1) {
                text.append(" ".repeat(widths[i] - cells[i].length() + 2));
            }
        }
        out.println(text.toString().stripTrailing());
    }
}
