package org.tuneless.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * results.csv: one {@link BenchRow} per run, columns {@link BenchRow#COLUMNS}, RFC 4180 quoting, an empty cell for a
 * missing value. {@link #append} writes and flushes one row, so a killed benchmark loses at most the row being
 * written; {@link #read} drops an incomplete last record (and says so) instead of failing.
 */
public final class ResultsCsv {

    private ResultsCsv() {}

    private static final CSVFormat FORMAT = org.tuneless.metrics.Csv.FORMAT;  // the shared conventions (docs/run-files.md)

    public static List<BenchRow> read(Path file) {
        if (!Files.exists(file)) return new ArrayList<>();
        List<BenchRow> rows = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            if (!p.getHeaderNames().equals(BenchRow.COLUMNS) && !p.getHeaderNames().equals(BenchRow.COLUMNS_V1)) {
                throw new IllegalArgumentException(file + ": not a Tuneless results.csv (columns " + p.getHeaderNames() + ", expected " + BenchRow.COLUMNS + ")");
            }
            var it = p.iterator();
            while (true) {
                CSVRecord rec;
                try {
                    if (!it.hasNext()) break;
                    rec = it.next();
                } catch (UncheckedIOException | IllegalStateException e) {
                    break;  // a partial last record (the process was killed while writing it): that trial runs again
                }
                if (!rec.isConsistent()) {
                    boolean last;
                    try {
                        last = !it.hasNext();
                    } catch (UncheckedIOException | IllegalStateException e) {
                        last = true;
                    }
                    if (last) break;  // a partial last line: that trial runs again
                    // in the middle of the file it is not a killed write: reading on would silently drop every later run
                    throw new IllegalArgumentException(file + ", record " + rec.getRecordNumber() + ": " + rec.size() + " fields where the header has "
                            + p.getHeaderNames().size() + " (edited by hand, or lines of another version's results.csv pasted in?); fix or remove that record");
                }
                try {
                    rows.add(BenchRow.fromCells(name -> rec.isMapped(name) ? rec.get(name) : null));
                } catch (RuntimeException e) {
                    if (!it.hasNext()) break;  // an incomplete last line
                    throw new IllegalArgumentException(file + ", record " + rec.getRecordNumber() + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return rows;
    }

    /** Writes {@code rows} to {@code file} (replacing it). */
    public static void write(Path file, List<BenchRow> rows) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             CSVPrinter p = new CSVPrinter(w, FORMAT)) {
            p.printRecord(BenchRow.COLUMNS);
            for (BenchRow r : rows) p.printRecord(r.cells());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Appends one row (and the header if the file is new), flushed before returning. */
    public static void append(Path file, BenchRow row) {
        boolean fresh = !Files.exists(file);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
             CSVPrinter p = new CSVPrinter(w, FORMAT)) {
            if (fresh) p.printRecord(BenchRow.COLUMNS);
            p.printRecord(row.cells());
            p.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }
}
