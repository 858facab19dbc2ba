package org.tuneless.metrics;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The CSV conventions of every table Tuneless writes (metrics.csv, evaluations.csv, a sweep's CSV, a benchmark's
 * results.csv), in one place; docs/run-files.md documents them for readers:
 * <ul>
 *   <li>RFC 4180 quoting, UTF-8, a header row, {@code \n} line ends ({@link #FORMAT});</li>
 *   <li>an <b>empty cell</b> means "not measured" (a metric not computed on that step, an accuracy of a regression);</li>
 *   <li>a measured value that is not finite is written {@code NaN}, {@code Infinity} or {@code -Infinity} (a diverged
 *       loss), so it stays distinguishable from "not measured" (pandas and Kotlin DataFrame read all three as doubles);</li>
 *   <li>integer columns (step, epoch, counts and 0/1 flags: {@link Metrics#isInteger}) are written as integers
 *       ({@code 13}, never {@code 13.0}); real columns as Java prints a double (shortest text that reads back to the
 *       same bits, e.g. {@code 1.0}, {@code 2.5E-4});</li>
 *   <li>column names are identifiers ({@link #columnName}): letters, digits and {@code _}, so that they are accessors in
 *       Kotlin DataFrame ({@code df.ecco_dt__dense0_W}) and attributes in pandas.</li>
 * </ul>
 */
public final class Csv {

    private Csv() {}

    /** RFC 4180 with {@code \n} record separators. */
    public static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build();

    /** The cell of a value that was not measured. */
    public static final String MISSING = "";

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * The CSV/DataFrame column of a metric name: {@code /} (metric/tensor) becomes {@code __}, every other character
     * that is not a letter, digit or {@code _} (the {@code .} of a namespace or a tensor name) becomes {@code _}, and a
     * leading digit gets a {@code _} in front. Examples: {@code ecco.dt/dense0.W} → {@code ecco_dt__dense0_W},
     * {@code agd.G} → {@code agd_G}, {@code elr/conv1.b} → {@code elr__conv1_b}; {@code loss}, {@code lr_x_sharpness}
     * stay as they are.
     */
    public static String columnName(String metric) {
        if (metric == null || metric.isEmpty()) throw new IllegalArgumentException("a metric name must not be empty");
        if (IDENTIFIER.matcher(metric).matches()) return metric;
        StringBuilder b = new StringBuilder(metric.length() + 4);
        if (Character.isDigit(metric.charAt(0))) b.append('_');
        for (int i = 0; i < metric.length(); i++) {
            char c = metric.charAt(i);
            if (c == '/') b.append("__");
            else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') b.append(c);
            else b.append('_');
        }
        return b.toString();
    }

    /**
     * The column names of {@code metrics} in order; two names that map to the same column (e.g. {@code a.b} and
     * {@code a_b}) are told apart by a suffix {@code _2}, {@code _3}, … on the later one, so no column is lost.
     */
    public static Map<String, String> columnNames(List<String> metrics) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String m : metrics) {
            String c = columnName(m), name = c;
            for (int n = 2; out.containsValue(name); n++) name = c + "_" + n;
            out.put(m, name);
        }
        return out;
    }

    /** A measured real value: as Java prints it, non-finite as {@code NaN}/{@code Infinity}/{@code -Infinity}. */
    public static String real(double v) {
        return Double.toString(v);
    }

    /** A measured integer value (a count held in a double): {@code 13}, not {@code 13.0}; a non-integral value as {@link #real}. */
    public static String integer(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return real(v);
    }

    /** A measured value of a column: {@link #integer} when {@code integerColumn}, else {@link #real}. */
    public static String cell(double v, boolean integerColumn) {
        return integerColumn ? integer(v) : real(v);
    }

    /** A value that may be missing ({@code null} → empty cell). */
    public static String cell(Double v, boolean integerColumn) {
        return v == null ? MISSING : cell((double) v, integerColumn);
    }

    /** A number in a column of mixed values (a benchmark's knob value, a target): integral values without ".0". */
    public static String compact(double v) {
        return integer(v);
    }

    /** One CSV record with its line end. */
    public static String line(List<String> cells) {
        StringWriter s = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(s, FORMAT)) {
            p.printRecord(cells);
        } catch (IOException e) {
            throw new IllegalStateException(e);  // a StringWriter does not fail
        }
        return s.toString();
    }

    /** Whether {@code name} is already a valid column name (an identifier). */
    public static boolean isColumnName(String name) {
        return IDENTIFIER.matcher(name).matches();
    }
}
