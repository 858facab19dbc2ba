package org.tuneless.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** Exports a {@link TrainingRun}: metrics.csv (one row per step), metrics.jsonl, evaluations.csv and run.json. */
final class RunFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper JSONL = new ObjectMapper();

    private RunFiles() {}

    static Path write(TrainingRun run, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> columns = run.columns();
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("metrics.csv"));
             CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(columns.toArray(String[]::new)).build())) {
            for (StepRecord r : run.history()) {
                List<String> row = new ArrayList<>(columns.size());
                for (String c : columns) row.add(cell(TrainingRun.value(r, c), c));
                csv.printRecord(row);
            }
        }
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("metrics.jsonl"))) {
            for (StepRecord r : run.history()) {
                Map<String, Object> obj = new LinkedHashMap<>();
                for (String c : columns) {
                    double v = TrainingRun.value(r, c);
                    if (!Double.isNaN(v) || TrainingRun.BASE_COLUMNS.contains(c)) obj.put(c, jsonNumber(v, c));
                }
                w.write(JSONL.writeValueAsString(obj));
                w.newLine();
            }
        }
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("evaluations.csv"));
             CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader("step", "split", "loss", "accuracy", "point").build())) {
            for (EvaluationRecord e : run.evaluations()) {
                csv.printRecord(e.step(), e.split(), cell(e.loss(), "loss"), cell(e.accuracy(), "accuracy"), e.point());
            }
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("label", run.label());
        meta.put("status", run.status().name());
        meta.put("status_message", run.statusMessage());
        meta.put("stopped_at_step", run.stoppedAtStep() >= 0 ? run.stoppedAtStep() : null);
        meta.put("steps_recorded", run.history().size());
        meta.put("final_loss", jsonNumber(run.finalLoss(), "final_loss"));
        meta.put("best_loss", jsonNumber(run.bestLoss(), "best_loss"));
        meta.put("seconds", run.seconds());
        meta.put("config", run.config());
        Map<String, Object> lastEval = new LinkedHashMap<>();
        for (String split : List.of("train", "test")) {
            run.lastEvaluation(split).ifPresent(e -> lastEval.put(split, Map.of("step", e.step(), "loss", jsonNumber(e.loss(), "loss"),
                    "accuracy", jsonNumber(e.accuracy(), "accuracy"), "point", e.point())));
        }
        meta.put("last_evaluation", lastEval);
        JSON.writeValue(dir.resolve("run.json").toFile(), meta);
        return dir;
    }

    /** Integral columns print as integers; NaN (not measured) prints as an empty cell. */
    private static String cell(double v, String column) {
        if (Double.isNaN(v)) return "";
        if (column.equals("step") || column.equals("epoch")) return Long.toString((long) v);
        return Double.toString(v);
    }

    /** JSON has no NaN/Infinity: non-finite numbers become strings ("NaN", "Infinity"). */
    private static Object jsonNumber(double v, String column) {
        if (column.equals("step") || column.equals("epoch")) return (long) v;
        return Double.isFinite(v) ? (Object) v : Double.toString(v);
    }
}
