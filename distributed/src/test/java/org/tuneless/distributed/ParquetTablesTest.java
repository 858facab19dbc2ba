package org.tuneless.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tuneless.run.SweepDriver;
import org.tuneless.run.SweepFile;
import org.tuneless.run.SweepTable;
import org.tuneless.run.Trial;
import org.tuneless.run.TrialExecutor;
import org.tuneless.run.TrialResult;

/** results.parquet, read back with Spark SQL, holds the same table as results.csv: types, empty cells, NaN and ∞. */
class ParquetTablesTest {

    /** The next test class of this JVM may start its own SparkContext (one per JVM). */
    @org.junit.jupiter.api.AfterAll static void stopSpark() { ParquetTables.stop(); }

    /** Trials that do not train: lr 1e6 diverges (loss +∞, best NaN), others have loss = lr; lr −1 cannot be built. */
    static final class Fake implements TrialExecutor {
        @Override public Execution start(List<Trial> trials, Consumer<TrialResult> onResult) {
            List<TrialResult> out = new ArrayList<>();
            for (Trial t : trials) {
                double lr = (Double) t.spec().optimizer().get("lr");
                boolean diverged = lr > 1e3;
                TrialResult r = new TrialResult(t.id(), t.spec().toJson(), diverged ? "DIVERGED" : "COMPLETED", diverged ? "loss went to ∞" : "",
                        t.spec().steps(), 0.25 * lr, diverged ? Double.POSITIVE_INFINITY : lr, diverged ? Double.NaN : lr, List.of(), List.of(), List.of(), "node-" + t.spec().seed());
                out.add(r);
                onResult.accept(r);
            }
            return new Execution() {
                @Override public List<TrialResult> await() { return out; }
                @Override public void cancel() {}
            };
        }
    }

    @Test void parquetReadsBackAsTheCsvTable(@TempDir Path tmp) throws Exception {
        SweepFile f = SweepFile.parse("""
                {"base": {"model": {"name": "mlp", "widths": [16, 8, 1]}, "data": {"name": "teacher-student", "samples": 64}, "loss": {"name": "mse"},
                          "optimizer": {"name": "sgd"}, "steps": 9},
                 "parameters": {"optimizer.lr": [-1, 0.5, 1e6, 0.125, 2, 3, 5, 7, 11]}, "seeds": [0, 1],
                 "scheduler": {"kind": "asha", "min_steps": 1, "eta": 3}}""", "pq.json");
        Path dir = tmp.resolve("sweep");
        SweepTable table = new SweepDriver(f, dir, new Fake(), 1).run();
        Path pq = ParquetTables.write(table, dir.resolve("results.parquet"));
        // written twice (a resumed sweep rewrites it): replaced whole, no leftovers
        ParquetTables.write(table, dir.resolve("results.parquet"));
        try (var s = Files.list(dir)) {
            assertEquals(List.of("results.csv", "results.parquet", "sweep.json", "trials.jsonl"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(table.names(), ParquetTables.columns(pq));
        List<List<Object>> back = ParquetTables.read(pq);
        List<CSVRecord> csv;
        try (var r = Files.newBufferedReader(dir.resolve("results.csv"))) {
            csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
        }
        assertTrue(table.rows().size() > 18, "ASHA rungs: " + table.rows().size() + " rows");
        assertEquals(csv.size(), back.size());
        int nulls = 0, nonFinite = 0;
        for (int i = 0; i < csv.size(); i++) {
            for (int c = 0; c < table.columns().size(); c++) {
                SweepTable.Column col = table.columns().get(c);
                String text = csv.get(i).get(col.name());
                Object v = back.get(i).get(c);
                Object expected = text.isEmpty() && col.type() != SweepTable.Type.STRING ? null : switch (col.type()) {
                    case STRING -> text;
                    case DOUBLE -> Double.parseDouble(text);
                    case LONG -> Long.parseLong(text);
                    case INT -> Integer.parseInt(text);
                };
                assertEquals(expected, v, "row " + i + " column " + col.name());
                if (v == null) nulls++;
                if (v instanceof Double d && !Double.isFinite(d)) nonFinite++;
            }
        }
        assertTrue(nulls > 0 && nonFinite > 0, nulls + " empty cells, " + nonFinite + " non-finite values");
        assertEquals("FAILED", back.get(0).get(table.column("status")));
        assertEquals("DIVERGED", back.stream().filter(r -> r.get(0).equals("c2-s0-r0")).findFirst().orElseThrow().get(table.column("status")),
                "a diverged trial keeps its status (never promoted)");
        assertTrue(back.stream().anyMatch(r -> "STOPPED".equals(r.get(table.column("status")))) && back.stream().anyMatch(r -> "PROMOTED".equals(r.get(table.column("status")))));
        assertEquals("node-1", back.stream().filter(r -> r.get(0).equals("c1-s1-r0")).findFirst().orElseThrow().get(table.column("host")));
    }
}
