package org.tuneless.data;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Workspaces;

/**
 * Regression data from a CSV file with a header row and numeric columns: one column is the target (by name, default
 * the last), the others (or a chosen list) are the features. The rows are split into train and test sets by a seeded
 * permutation (each part keeps the file's row order); features — and optionally the target — are standardized,
 * z = (x − mean) / std, with the mean and population standard deviation of the <b>training</b> rows only (a column
 * constant on the training rows gets std 1). Results are float32 by default, targets (n, 1).
 *
 * <pre>{@code
 * CsvRegression.Data d = CsvRegression.from(Path.of("housing.csv")).target("price").testFraction(0.2).seed(1)
 *         .standardizeTarget(true).load();
 * d.train(); d.test(); d.featureMeans(); d.targetStd();
 * }</pre>
 */
public final class CsvRegression {

    /**
     * The split datasets and the training statistics. {@code targetMean}/{@code targetStd} are 0/1 when the target
     * was not standardized.
     */
    public record Data(Dataset train, Dataset test, List<String> featureNames, String targetName,
                       double[] featureMeans, double[] featureStds, double targetMean, double targetStd) {

        public TrainTestSplit split() { return new TrainTestSplit(train, test); }

        /** Standardizes raw feature rows (m, features) with the training statistics, e.g. for new data. */
        public INDArray standardizeFeatures(INDArray raw) {
            INDArray mean = Nd4j.createFromArray(featureMeans).castTo(raw.dataType());
            INDArray std = Nd4j.createFromArray(featureStds).castTo(raw.dataType());
            return raw.subRowVector(mean).diviRowVector(std);
        }

        /** Targets or predictions in standardized units back in the units of the file: y·std + mean. */
        public INDArray targetToOriginalUnits(INDArray y) { return y.mul(targetStd).addi(targetMean); }
    }

    private final Path file;      // or null for in-memory text
    private final String text;
    private String target;
    private List<String> features;
    private double testFraction = 0.2;
    private long seed = 0;
    private boolean standardizeTarget;
    private DataType dataType = DataType.FLOAT;

    private CsvRegression(Path file, String text) {
        this.file = file;
        this.text = text;
    }

    /** Options for loading {@code file}; finish with {@link #load()}. */
    public static CsvRegression from(Path file) { return new CsvRegression(file, null); }

    /** Options for CSV text held in memory (tests, generated data); finish with {@link #load()}. */
    public static CsvRegression fromText(String csv) { return new CsvRegression(null, csv); }

    /** The defaults: last column as target, 20 % test, seed 0, features standardized, target raw, float32. */
    public static Data load(Path file) { return from(file).load(); }

    /** Name of the target column (default: the last column). */
    public CsvRegression target(String column) { this.target = column; return this; }

    /** Feature columns, in this order (default: every column except the target). */
    public CsvRegression features(String... columns) { this.features = List.of(columns); return this; }

    /** Fraction of rows held out for testing, in (0, 1); default 0.2. */
    public CsvRegression testFraction(double fraction) { this.testFraction = fraction; return this; }

    public CsvRegression seed(long seed) { this.seed = seed; return this; }

    /** Also standardize the target with its training mean and std (default false). */
    public CsvRegression standardizeTarget(boolean standardize) { this.standardizeTarget = standardize; return this; }

    /** Floating-point type of the datasets (default FLOAT). */
    public CsvRegression dataType(DataType type) { this.dataType = type; return this; }

    public Data load() {
        if (file == null) {
            try {
                return parse(new StringReader(text), "CSV text");
            } catch (IOException e) {
                throw new DataFormatException("CSV text: " + e.getMessage(), e);
            }
        }
        String where = file.toAbsolutePath().toString();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(reader, where);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(where + ": file not found; give the path of a CSV file with a header row", e);
        } catch (IOException | UncheckedIOException e) {
            throw new DataFormatException(where + ": cannot read the CSV file (" + e.getMessage() + "); check that it is UTF-8 text", e);
        }
    }

    private Data parse(Reader reader, String where) throws IOException {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction = " + testFraction + " must be in (0, 1), e.g. 0.2");
        }
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
                .setIgnoreEmptyLines(true).setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW).build();
        List<String> header;
        List<double[]> rows = new ArrayList<>();
        CSVParser parser;
        try {
            parser = CSVParser.parse(reader, format);
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(where + ": bad header row (" + e.getMessage() + "); give every column a distinct name", e);
        }
        try (parser) {
            header = parser.getHeaderNames();
            if (header.isEmpty()) {
                throw new DataFormatException(where + ": the file is empty; expected a header row of column names followed by numeric rows");
            }
            int[] columns = columnIndices(header, where);
            int dataRow = 0;
            for (CSVRecord record : parser) {
                dataRow++;
                if (record.size() != header.size()) {
                    throw new DataFormatException(where + ": data row " + dataRow + " (line " + record.getParser().getCurrentLineNumber()
                            + ") has " + record.size() + " values but the header has " + header.size() + " columns " + header
                            + "; fix the row or quote values that contain commas");
                }
                double[] row = new double[columns.length];
                for (int j = 0; j < columns.length; j++) {
                    String cell = record.get(columns[j]);
                    row[j] = number(cell, where, dataRow, record.getParser().getCurrentLineNumber(), header.get(columns[j]));
                }
                rows.add(row);
            }
            if (rows.isEmpty()) {
                throw new DataFormatException(where + ": the file has a header " + header + " but no data rows");
            }
            return build(rows, header, columns, where);
        } catch (UncheckedIOException e) {
            throw new DataFormatException(where + ": malformed CSV (" + e.getCause().getMessage() + "); check the quoting", e);
        }
    }

    /** Indices of the feature columns followed by the target column. */
    private int[] columnIndices(List<String> header, String where) {
        String targetName = target == null ? header.get(header.size() - 1) : target;
        int t = header.indexOf(targetName);
        if (t < 0) {
            throw new DataFormatException(where + ": no target column '" + targetName + "'; the columns are " + header);
        }
        List<Integer> feats = new ArrayList<>();
        if (features == null) {
            for (int j = 0; j < header.size(); j++) if (j != t) feats.add(j);
        } else {
            for (String f : features) {
                int j = header.indexOf(f);
                if (j < 0) throw new DataFormatException(where + ": no feature column '" + f + "'; the columns are " + header);
                if (j == t) throw new IllegalArgumentException("column '" + f + "' is the target; it cannot also be a feature");
                feats.add(j);
            }
        }
        if (feats.isEmpty()) {
            throw new DataFormatException(where + ": only the target column '" + targetName + "' is present; a regression needs at least one feature column");
        }
        int[] out = new int[feats.size() + 1];
        for (int j = 0; j < feats.size(); j++) out[j] = feats.get(j);
        out[feats.size()] = t;
        return out;
    }

    private static double number(String cell, String where, int dataRow, long line, String column) {
        String problem;
        if (cell.isEmpty()) {
            problem = "is empty";
        } else {
            try {
                double v = Double.parseDouble(cell);
                if (Double.isFinite(v)) return v;
                problem = "'" + cell + "' is not finite";
            } catch (NumberFormatException e) {
                problem = "'" + cell + "' is not a number";
            }
        }
        throw new DataFormatException(where + ": data row " + dataRow + " (line " + line + "), column '" + column + "': the value "
                + problem + "; every feature and target cell must be a finite number (drop or encode non-numeric columns, "
                + "fill or remove missing values, or pick numeric features with features(...))");
    }

    private Data build(List<double[]> rows, List<String> header, int[] columns, String where) {
        int n = rows.size(), f = columns.length - 1;
        int nTest = (int) Math.round(n * testFraction);
        if (nTest < 1 || nTest >= n) {
            throw new DataFormatException(where + ": " + n + " data rows are too few to split with test fraction " + testFraction
                    + " (need at least one training and one test row)");
        }
        int[] order = new int[n];
        BatchStream.shuffle(order, new SplittableRandom(seed));
        int[] testRows = Arrays.copyOfRange(order, 0, nTest), trainRows = Arrays.copyOfRange(order, nTest, n);
        Arrays.sort(testRows);
        Arrays.sort(trainRows);
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            INDArray train = matrix(rows, trainRows, f + 1), test = matrix(rows, testRows, f + 1);
            double[] mean = train.mean(0).toDoubleVector();
            double[] std = train.std(false, 0).toDoubleVector(); // population std over the training rows
            for (int j = 0; j <= f; j++) if (!(std[j] > 0)) std[j] = 1; // constant column: centre only
            if (!standardizeTarget) {
                mean[f] = 0;
                std[f] = 1;
            }
            INDArray m = Nd4j.createFromArray(mean), s = Nd4j.createFromArray(std);
            train.subiRowVector(m).diviRowVector(s);
            test.subiRowVector(m).diviRowVector(s);
            List<String> featureNames = new ArrayList<>();
            for (int j = 0; j < f; j++) featureNames.add(header.get(columns[j]));
            return new Data(dataset(train, f), dataset(test, f), List.copyOf(featureNames), header.get(columns[f]),
                    Arrays.copyOf(mean, f), Arrays.copyOf(std, f), mean[f], std[f]);
        }
    }

    private Dataset dataset(INDArray m, int f) {
        INDArray x = m.getColumns(range(f)).castTo(dataType);
        INDArray y = m.getColumn(f).reshape(m.rows(), 1).castTo(dataType);
        return Dataset.regression(x, y);
    }

    private static int[] range(int f) {
        int[] r = new int[f];
        for (int i = 0; i < f; i++) r[i] = i;
        return r;
    }

    private static INDArray matrix(List<double[]> rows, int[] which, int width) {
        double[][] values = new double[which.length][];
        for (int i = 0; i < which.length; i++) values[i] = rows.get(which[i]);
        return Nd4j.createFromArray(values).reshape(which.length, width);
    }
}
