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
        writeMetrics(run, dir);
        writeEvaluations(dir, run.evaluations());
        writeMeta(run, dir);
        return dir;
    }

    /** metrics.csv and metrics.jsonl from the run's history (which must be complete: stride 1). */
    private static void writeMetrics(TrainingRun run, Path dir) throws IOException {
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
    }

    /** run.json: status, message, counts, losses, config and the last evaluations (atomically). */
    static void writeMeta(TrainingRun run, Path dir) throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("label", run.label());
        meta.put("status", run.status().name());
        meta.put("status_message", run.statusMessage());
        meta.put("stopped_at_step", run.stoppedAtStep() >= 0 ? run.stoppedAtStep() : null);
        meta.put("steps_recorded", run.stepsRecorded());
        if (run.historyStride() > 1) meta.put("history_in_memory", "every " + run.historyStride() + "th step (" + run.history().size() + " records); metrics files have every step");
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

    /** A metrics.jsonl line read back ({@link #jsonLine}'s inverse): base columns, then every other key as a metric. */
    static StepRecord parseJsonLine(String line) throws IOException {
        com.fasterxml.jackson.databind.JsonNode o = JSONL.readTree(line);
        if (o == null || !o.isObject() || !o.has("step")) throw new IOException("not a metrics.jsonl record: " + line);
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (java.util.Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!TrainingRun.BASE_COLUMNS.contains(k)) metrics.put(k, number(o.get(k)));
        }
        return new StepRecord(o.get("step").asLong(), o.path("epoch").asLong(), number(o.get("loss")), number(o.get("lr")), number(o.get("grad_norm")),
                number(o.get("update_norm")), number(o.get("time_s")), metrics);
    }

    private static double number(com.fasterxml.jackson.databind.JsonNode v) {
        if (v == null || v.isNull()) return Double.NaN;
        return v.isTextual() ? Double.parseDouble(v.asText()) : v.asDouble();
    }

    /** The complete records of a metrics.jsonl file (a partial or unreadable last line, as a kill leaves it, is ignored). */
    static List<StepRecord> readJsonl(Path file) throws IOException {
        List<StepRecord> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            try {
                out.add(parseJsonLine(lines.get(i)));
            } catch (IOException | RuntimeException e) {
                if (i == lines.size() - 1) break;   // the partial last line of a killed run
                throw new IOException(file + " line " + (i + 1) + " is not a valid record: " + e.getMessage(), e);
            }
        }
        return out;
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
