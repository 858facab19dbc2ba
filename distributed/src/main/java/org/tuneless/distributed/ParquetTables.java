package org.tuneless.distributed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.tuneless.run.SweepTable;

/**
 * Writes a sweep's results table ({@link SweepTable}) as Parquet with Spark SQL: a directory {@code results.parquet}
 * holding one part file (Spark's layout; pandas, pyarrow, DuckDB and Spark read the directory as one table). The table
 * is written whole, to a temporary directory renamed over the old one, so a reader never sees a partial table.
 *
 * <p>It uses the running SparkSession (that of a {@link SparkExecutor}) or starts a local one ({@code local[1]}, UI off),
 * which stays up for the rest of the process ({@link #stop()} ends it).
 */
public final class ParquetTables {

    private ParquetTables() {}

    /** The Spark SQL schema of a table: string, double, long, int columns, all nullable (null = not measured). */
    public static StructType schema(SweepTable t) {
        List<StructField> fields = new ArrayList<>();
        for (SweepTable.Column c : t.columns()) fields.add(DataTypes.createStructField(c.name(), type(c.type()), true));
        return DataTypes.createStructType(fields);
    }

    private static DataType type(SweepTable.Type t) {
        return switch (t) {
            case STRING -> DataTypes.StringType;
            case DOUBLE -> DataTypes.DoubleType;
            case LONG -> DataTypes.LongType;
            case INT -> DataTypes.IntegerType;
        };
    }

    /** The session: the active one, or a local one started now. */
    public static synchronized SparkSession session() {
        return SparkSession.builder().master("local[1]").appName("tuneless")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.parquet.compression.codec", "snappy").getOrCreate();
    }

    /** Writes {@code table} to the Parquet directory {@code dir} (replacing it atomically); returns {@code dir}. */
    public static Path write(SweepTable table, Path dir) {
        SparkSession spark = session();
        List<Row> rows = new ArrayList<>();
        for (List<Object> r : table.rows()) rows.add(RowFactory.create(r.toArray()));
        Dataset<Row> df = spark.createDataFrame(rows, schema(table)).coalesce(1);
        Path abs = dir.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp");
        try {
            delete(tmp);
            df.write().mode(SaveMode.Overwrite).parquet(tmp.toString());
            Path old = abs.resolveSibling("." + abs.getFileName() + ".old");
            delete(old);
            if (Files.exists(abs)) Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            delete(old);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + abs + ": " + e.getMessage(), e);
        }
        return abs;
    }

    /** Reads a Parquet table back as rows of cells (in file order), for checks. */
    public static List<List<Object>> read(Path dir) {
        List<List<Object>> out = new ArrayList<>();
        for (Row r : session().read().parquet(dir.toAbsolutePath().toString()).collectAsList()) {
            List<Object> cells = new ArrayList<>();
            for (int i = 0; i < r.length(); i++) cells.add(r.get(i));
            out.add(cells);
        }
        return out;
    }

    /** The column names of a Parquet table. */
    public static List<String> columns(Path dir) {
        return List.of(session().read().parquet(dir.toAbsolutePath().toString()).columns());
    }

    /** Stops the SparkSession (and its context) if one is running, e.g. before another component creates its own context. */
    public static synchronized void stop() {
        scala.Option<SparkSession> s = SparkSession.getDefaultSession();
        if (s.isDefined()) s.get().stop();
        scala.Option<SparkSession> a = SparkSession.getActiveSession();
        if (a.isDefined()) a.get().stop();
    }

    private static void delete(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }
}
