package org.tuneless.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tuneless.metrics.Csv;
import org.tuneless.metrics.Metrics;
import org.tuneless.objective.Batch;

/** The CSV conventions of the run files (docs/run-files.md): names, integers, empty vs NaN, the evaluation join. */
class RunCsvTest {

    static List<CSVRecord> read(Path file, List<String> header) throws IOException {
        try (Reader r = Files.newBufferedReader(file);
             CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            header.addAll(csv.getHeaderNames());
            return csv.getRecords();
        }
    }

    @Test void columnNamesAreIdentifiersAndDistinct() {
        assertEquals("ecco_dt__dense0_W", Csv.columnName("ecco.dt/dense0.W"));
        assertEquals("agd_G", Csv.columnName("agd.G"));
        assertEquals("elr__conv1_b", Csv.columnName("elr/conv1.b"));
        assertEquals("lr_x_sharpness", Csv.columnName("lr_x_sharpness"));
        assertEquals("_3d_x", Csv.columnName("3d-x"));
        Map<String, String> names = Csv.columnNames(List.of("step", "a.b", "a_b", "a/b", "a__b", "step.x"));
        assertEquals(List.of("step", "a_b", "a_b_2", "a__b", "a__b_2", "step_x"), List.copyOf(names.values()));
        for (String n : names.values()) assertTrue(Csv.isColumnName(n), n);
    }

    @Test void numbersIntegersAndNonFiniteValues() {
        assertEquals("13", Csv.integer(13.0));
        assertEquals("-2", Csv.integer(-2.0));
        assertEquals("2.5", Csv.integer(2.5), "a non-integral value in an integer column keeps its fraction");
        assertEquals("13.0", Csv.real(13.0));
        assertEquals("1.0E-4", Csv.real(1e-4));
        assertEquals("NaN", Csv.real(Double.NaN));
        assertEquals("Infinity", Csv.real(Double.POSITIVE_INFINITY));
        assertEquals("-Infinity", Csv.integer(Double.NEGATIVE_INFINITY));
        assertEquals("", Csv.cell((Double) null, false));
        assertEquals("1,\"a,b\",\n", Csv.line(List.of("1", "a,b", "")));
    }

    /** A measured non-finite loss is "NaN"; a metric measured as NaN is "NaN"; a metric not measured is empty. */
    @Test void measuredNonFiniteIsNaNAndNotMeasuredIsEmpty() throws IOException {
        StepRecord diverged = new StepRecord(7, 1, Double.NaN, 0.5, Double.POSITIVE_INFINITY, 0.0, 0.25,
                Map.of(Metrics.SHARPNESS, Double.NaN, Metrics.LS_TRIALS, 4.0));
        List<String> columns = List.of("step", "epoch", "loss", "lr", "grad_norm", "update_norm", "time_s", Metrics.SHARPNESS, Metrics.LS_TRIALS, Metrics.CDAT_N);
        assertEquals("7,1,NaN,0.5,Infinity,0.0,0.25,NaN,4,\n", RunFiles.csvRow(diverged, columns));
        // metrics.jsonl keeps the measured NaN (as the string "NaN") and reads it back as measured
        String json = RunFiles.jsonLine(diverged, columns);
        assertTrue(json.contains("\"sharpness\":\"NaN\"") && json.contains("\"ls.trials\":4}") && !json.contains("cdat"), json);
        StepRecord back = RunFiles.parseJsonLine(json);
        assertTrue(back.metrics().containsKey(Metrics.SHARPNESS) && Double.isNaN(back.metric(Metrics.SHARPNESS)));
        assertFalse(back.metrics().containsKey(Metrics.CDAT_N));
        assertEquals(RunFiles.csvRow(diverged, columns), RunFiles.csvRow(back, columns));
    }

    /** While the run runs, evaluations.csv holds every evaluation so far (appended), as lines of the final file. */
    @Test void evaluationsAreStreamedWhileTheRunRuns(@TempDir Path dir) throws IOException {
        List<String> seen = new java.util.ArrayList<>();
        TrainerPlugin peek = new TrainerPlugin() {
            @Override public void beforeUpdate(TrainingContext c, Map<String, Double> m) {
                if (c.step() != 7) return;
                try {
                    seen.addAll(Files.readAllLines(dir.resolve("evaluations.csv")));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        Batch train = TrainerTest.blobs(30, 5);
        Trainer.builder().network(TrainerTest.net(1)).fullBatch(train).evaluateOn("test", train).evaluateEvery(2)
                .optimizer(TrainerTest.gd(0.1)).install(peek).steps(9).outputTo(dir).build().run();
        List<String> all = Files.readAllLines(dir.resolve("evaluations.csv"));
        // header + the evaluations at steps 2, 4, 6 by the time step 7 is taken; the final file adds 8 and the last
        assertEquals(4, seen.size(), seen.toString());
        assertEquals(all.subList(0, seen.size()), seen);
        assertEquals(6, all.size(), all.toString());
    }

    @Test void metricsAndEvaluationsFollowTheConventionsAndJoin(@TempDir Path dir) throws IOException {
        TrainerPlugin metrics = new TrainerPlugin() {
            @Override public void beforeUpdate(TrainingContext c, Map<String, Double> m) {
                if (c.step() % 2 == 0) m.put(Metrics.perTensor(Metrics.ECCO_DT_PREFIX, "dense0.W"), 0.125 * (c.step() + 1));
                m.put(Metrics.LS_TRIALS, (double) (c.step() + 10));
                if (c.step() == 3) m.put(Metrics.HYPERGRADIENT_COSINE, Double.NaN);
            }
        };
        Batch train = TrainerTest.blobs(30, 5);   // TrainerTest.gd also records a diagnostic, test_diag
        TrainingRun run = Trainer.builder().network(TrainerTest.net(1)).fullBatch(train).evaluateOn("test", train).evaluateEvery(2)
                .optimizer(TrainerTest.gd(0.1)).install(metrics).steps(5).build().run();
        run.writeTo(dir);
        List<String> header = new java.util.ArrayList<>();
        List<CSVRecord> rows = read(dir.resolve("metrics.csv"), header);
        assertEquals(List.of("step", "epoch", "loss", "lr", "grad_norm", "update_norm", "time_s", "test_diag", "ecco_dt__dense0_W", "ls_trials", "hypergradient_cosine"), header);
        assertEquals(List.copyOf(run.columnNames().values()), header);
        assertEquals(5, rows.size());
        for (int i = 0; i < 5; i++) {
            CSVRecord r = rows.get(i);
            assertEquals(Integer.toString(i), r.get("step"));
            assertEquals(Integer.toString(i + 10), r.get("ls_trials"), "a count is an integer, not " + r.get("ls_trials"));
            assertEquals(i % 2 == 0 ? Double.toString(0.125 * (i + 1)) : "", r.get("ecco_dt__dense0_W"));
            assertEquals(i == 3 ? "NaN" : "", r.get("hypergradient_cosine"), "measured NaN vs not measured");
            assertEquals(Double.toString(run.history().get(i).loss()), r.get("loss"));
        }
        // the API takes either name
        assertEquals(0.125, run.series("ecco_dt__dense0_W")[0]);
        assertEquals(0.125, run.series("ecco.dt/dense0.W")[0]);
        // metrics.jsonl keeps the metric names
        assertTrue(Files.readAllLines(dir.resolve("metrics.jsonl")).get(0).contains("\"ecco.dt/dense0.W\":0.125"));

        List<String> evHeader = new java.util.ArrayList<>();
        List<CSVRecord> evs = read(dir.resolve("evaluations.csv"), evHeader);
        assertEquals(List.of("step", "after_step", "split", "loss", "accuracy", "point"), evHeader);
        Set<String> steps = rows.stream().map(r -> r.get("step")).collect(Collectors.toSet());
        assertEquals(List.of("2", "4", "5"), evs.stream().map(e -> e.get("step")).toList());
        for (CSVRecord e : evs) {
            assertEquals(Long.parseLong(e.get("step")) - 1, Long.parseLong(e.get("after_step")));
            assertTrue(steps.contains(e.get("after_step")), "evaluation " + e.get("step") + " joins a metrics row");
            assertFalse(e.get("accuracy").isEmpty(), "a classifier's accuracy is measured");
        }
        assertEquals(rows.get(rows.size() - 1).get("step"), evs.get(evs.size() - 1).get("after_step"), "the final evaluation joins the last row");
        // after_step = k-1 evaluates the parameters of row k when it exists: the same loss as the row's
        assertEquals(Double.parseDouble(rows.get(2).get("loss")), Double.parseDouble(evs.get(0).get("loss")), 1e-12);
    }

    @Test void aStreamedRunWritesTheSameFiles(@TempDir Path dir) throws IOException {
        TrainerPlugin metrics = new TrainerPlugin() {
            @Override public void beforeUpdate(TrainingContext c, Map<String, Double> m) {
                if (c.step() >= 2) m.put("agd.G", 1.5);     // a column that appears mid-run: the CSV is rewritten wider
                m.put(Metrics.LOOKAHEAD_SYNC, c.step() % 2 == 0 ? 1.0 : 0.0);
            }
        };
        Batch train = TrainerTest.blobs(20, 3);
        Trainer.builder().network(TrainerTest.net(2)).fullBatch(train).optimizer(TrainerTest.gd(0.1)).install(metrics).steps(4)
                .outputTo(dir).build().run();
        List<String> lines = Files.readAllLines(dir.resolve("metrics.csv"));
        assertEquals("step,epoch,loss,lr,grad_norm,update_norm,time_s,test_diag,lookahead_sync,agd_G", lines.get(0));
        assertTrue(lines.get(1).endsWith(",1,"), lines.get(1));
        assertTrue(lines.get(4).endsWith(",0,1.5"), lines.get(4));
    }

    /** docs/run-files.md lists every metric of {@link Metrics} with its column name and type. */
    @Test void theColumnReferenceIsComplete() throws Exception {
        String doc = Files.readString(Path.of("../docs/run-files.md"));
        int checked = 0;
        for (java.lang.reflect.Field f : Metrics.class.getFields()) {
            if (f.getType() != String.class) continue;
            String name = (String) f.get(null);
            if (TrainingRun.BASE_COLUMNS.contains(name)) {
                assertTrue(doc.contains("| `" + name + "` | " + (Metrics.isInteger(name) ? "Long" : "Double") + " |"), name);
            } else if (name.endsWith("/")) {
                assertTrue(doc.contains("| `" + name + "TENSOR` | `" + Csv.columnName(name + "x").replaceAll("x$", "") + "TENSOR`"), name);
            } else {
                assertTrue(doc.contains("| `" + name + "` | `" + Csv.columnName(name) + "` | " + (Metrics.isInteger(name) ? "Long" : "Double") + " |"),
                        "docs/run-files.md lacks the row of " + name);
            }
            checked++;
        }
        assertTrue(checked > 50, "checked " + checked);
    }
}
