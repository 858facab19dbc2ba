package org.tuneless.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Exports a {@link TrainingRun}: metrics.csv (one row per step), metrics.jsonl, evaluations.csv and run.json. Every file
 * is written to a temporary file in the same directory and renamed over the old one, so each is always complete.
 */
final class RunFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper JSONL = new ObjectMapper();

    private RunFiles() {}

    static Path write(TrainingRun run, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> columns = run.columns();
        Path tmp = Files.createTempFile(dir, ".metrics.csv", ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp)) {
            w.write(csvLine(columns));
            for (StepRecord r : run.history()) w.write(csvRow(r, columns));
        }
        move(tmp, dir.resolve("metrics.csv"));
        tmp = Files.createTempFile(dir, ".metrics.jsonl", ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp)) {
            for (StepRecord r : run.history()) {
                w.write(jsonLine(r, columns));
                w.newLine();
            }
        }
        move(tmp, dir.resolve("metrics.jsonl"));
        writeEvaluations(dir, run.evaluations());
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
            run.lastEvaluation(split).ifPresent(e -> {
                Map<String, Object> ev = new LinkedHashMap<>();
                ev.put("step", e.step());
                ev.put("loss", jsonNumber(e.loss(), "loss"));
                ev.put("accuracy", jsonNumber(e.accuracy(), "accuracy"));
                ev.put("point", e.point());
                lastEval.put(split, ev);
            });
        }
        meta.put("last_evaluation", lastEval);
        writeJsonAtomically(dir.resolve("run.json"), meta);
        return dir;
    }

    static void writeEvaluations(Path dir, List<EvaluationRecord> evaluations) throws IOException {
        Path tmp = Files.createTempFile(dir, ".evaluations.csv", ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp);
             CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader("step", "split", "loss", "accuracy", "point").build())) {
            for (EvaluationRecord e : evaluations) {
                csv.printRecord(e.step(), e.split(), cell(e.loss(), "loss"), cell(e.accuracy(), "accuracy"), e.point());
            }
        }
        move(tmp, dir.resolve("evaluations.csv"));
    }

    /** Writes {@code value} as indented JSON to a temporary file and renames it over {@code file}. */
    static void writeJsonAtomically(Path file, Object value) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
        JSON.writeValue(tmp.toFile(), value);
        move(tmp, file);
    }

    static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** One CSV line (CRLF-terminated, as commons-csv's default format). */
    static String csvLine(List<String> cells) throws IOException {
        StringWriter s = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(s, CSVFormat.DEFAULT)) {
            p.printRecord(cells);
        }
        return s.toString();
    }

    static String csvRow(StepRecord r, List<String> columns) throws IOException {
        List<String> row = new ArrayList<>(columns.size());
        for (String c : columns) row.add(cell(TrainingRun.value(r, c), c));
        return csvLine(row);
    }

    /** The JSON line of a step: base columns always, metrics when measured; keys in {@code columns} order. */
    static String jsonLine(StepRecord r, List<String> columns) throws IOException {
        Map<String, Object> obj = new LinkedHashMap<>();
        for (String c : columns) {
            double v = TrainingRun.value(r, c);
            if (!Double.isNaN(v) || TrainingRun.BASE_COLUMNS.contains(c)) obj.put(c, jsonNumber(v, c));
        }
        return JSONL.writeValueAsString(obj);
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
