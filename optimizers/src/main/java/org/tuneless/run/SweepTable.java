package org.tuneless.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.tuneless.metrics.Csv;

/**
 * A sweep's results as a typed table, one row per trial: what {@link SweepDriver} writes to results.csv (with the
 * conventions of {@link Csv}: an empty cell = not measured) and the distributed module writes to results.parquet.
 * Cells are {@code String}, {@code Double}, {@code Long}, {@code Integer} or null (not measured).
 */
public record SweepTable(List<Column> columns, List<List<Object>> rows) {

    /** Column types, as Parquet/Spark SQL types: string, double, long (int64), int (int32). */
    public enum Type { STRING, DOUBLE, LONG, INT }

    public record Column(String name, Type type) {}

    public SweepTable {
        columns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>();
        for (List<Object> r : rows) {
            if (r.size() != columns.size()) throw new IllegalArgumentException("a row of " + r.size() + " cells in a table of " + columns.size() + " columns");
            copy.add(java.util.Collections.unmodifiableList(new ArrayList<>(r)));
        }
        rows = List.copyOf(copy);
    }

    public List<String> names() { return columns.stream().map(Column::name).toList(); }

    public int column(String name) {
        int i = names().indexOf(name);
        if (i < 0) throw new IllegalArgumentException("no column '" + name + "'; columns: " + names());
        return i;
    }

    /** The CSV text of a cell (see {@link Csv}). */
    public static String cell(Object v) {
        if (v == null) return Csv.MISSING;
        if (v instanceof Double d) return Csv.real(d);
        return v.toString();
    }

    /** The table as CSV. */
    public String toCsv() {
        StringBuilder b = new StringBuilder(Csv.line(names()));
        for (List<Object> r : rows) b.append(Csv.line(r.stream().map(SweepTable::cell).toList()));
        return b.toString();
    }

    /** Writes the CSV atomically (a temporary file moved over the old one): a reader never sees half a table. */
    public Path writeCsv(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = parent.resolve("." + file.getFileName() + ".tmp");
            Files.writeString(tmp, toCsv());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** A plain-text table for the terminal (numbers to 4 significant digits; the message column left out). */
    public String format() {
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) if (!columns.get(i).name().equals("message")) shown.add(i);
        List<List<String>> cells = new ArrayList<>();
        cells.add(shown.stream().map(i -> columns.get(i).name()).toList());
        for (List<Object> r : rows) {
            cells.add(shown.stream().map(i -> {
                Object v = r.get(i);
                if (v == null) return "-";
                if (v instanceof Double d) return Double.isFinite(d) ? String.format(Locale.ROOT, "%.4g", d) : d.toString();
                return v.toString();
            }).toList());
        }
        int[] w = new int[shown.size()];
        for (List<String> l : cells) for (int i = 0; i < l.size(); i++) w[i] = Math.max(w[i], l.get(i).length());
        StringBuilder b = new StringBuilder();
        for (List<String> l : cells) {
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) b.append("  ");
                b.append(i == 0 ? String.format("%-" + w[i] + "s", l.get(i)) : String.format("%" + w[i] + "s", l.get(i)));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
