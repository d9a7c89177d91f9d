package io.lagwise.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A table of figures, printed aligned for a console and written as Markdown for results files. */
final class MarkdownTable {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    MarkdownTable(String... header) {
        if (header.length == 0) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        this.header = List.of(header);
    }

    MarkdownTable row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, the table has " + header.size() + " columns: " + Arrays.toString(cells));
        }
        List<String> row = new ArrayList<>();
        for (Object c : cells) {
            row.add(String.valueOf(c).replace("|", "\\|"));
        }
        rows.add(row);
        return this;
    }

    int rowCount() {
        return rows.size();
    }

    /** GitHub-flavoured Markdown, columns padded so the source reads as a table too. */
    String toMarkdown() {
        int[] width = widths();
        StringBuilder sb = new StringBuilder();
        line(sb, header, width);
        sb.append('|');
        for (int w : width) {
            sb.append(' ').append("-".repeat(w)).append(" |");
        }
        sb.append('\n');
        for (List<String> row : rows) {
            line(sb, row, width);
        }
        return sb.toString();
    }

    private int[] widths() {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = Math.max(3, header.get(i).length());
            for (List<String> row : rows) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        return width;
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        sb.append('|');
        for (int i = 0; i < cells.size(); i++) {
            sb.append(' ').append(cells.get(i)).append(" ".repeat(width[i] - cells.get(i).length())).append(" |");
        }
        sb.append('\n');
    }

    @Override
    public String toString() {
        return toMarkdown();
    }
}
