package org.tuneless.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.tuneless.metrics.Csv;
import org.tuneless.metrics.Metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Exports a {@link TrainingRun}: metrics.csv (one row per step), metrics.jsonl, evaluations.csv and run.json. Every file
 * is written to a temporary file in the same directory and renamed over the old one, so each is always complete. The
 * CSV files follow {@link Csv}'s conventions (docs/run-files.md): metric names become identifier column names
 * ({@code ecco.dt/dense0.W} → {@code ecco_dt__dense0_W}), an empty cell is "not measured", {@code NaN} a measured
 * non-finite value, integer columns are integers. metrics.jsonl keeps the metric names of the API
 * ({@link TrainingRun#series}) as keys: it is the record a resumed run reads back.
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
            w.write(csvHeader(columns));
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

    /** The columns of evaluations.csv. */
    static final List<String> EVALUATION_COLUMNS = List.of("step", "after_step", "split", "loss", "accuracy", "point");

    /**
     * evaluations.csv: {@code step} is the number of updates done (the parameters of metrics.csv's row {@code step});
     * {@code after_step} is the metrics.csv row whose update came right before the evaluation ({@code step − 1}), so
     * every evaluation, the final one after the last step included, joins a metrics row on
     * {@code evaluations.after_step = metrics.step}. A regression's accuracy is not measured: empty.
     */
    static void writeEvaluations(Path dir, List<EvaluationRecord> evaluations) throws IOException {
        Path tmp = Files.createTempFile(dir, ".evaluations.csv", ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp)) {
            w.write(Csv.line(EVALUATION_COLUMNS));
            for (EvaluationRecord e : evaluations) w.write(Csv.line(evaluationCells(e)));
        }
        move(tmp, dir.resolve("evaluations.csv"));
    }

    /** The cells of one evaluation in {@link #EVALUATION_COLUMNS} order. */
    static List<String> evaluationCells(EvaluationRecord e) {
        return java.util.Arrays.asList(Long.toString(e.step()), e.step() > 0 ? Long.toString(e.step() - 1) : Csv.MISSING, e.split(),
                Csv.real(e.loss()), Double.isNaN(e.accuracy()) ? Csv.MISSING : Csv.real(e.accuracy()), e.point());
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

    /** The header of metrics.csv for the history columns {@code columns} (metric names): their {@link Csv#columnNames}. */
    static String csvHeader(List<String> columns) {
        return Csv.line(new ArrayList<>(Csv.columnNames(columns).values()));
    }

    /** One metrics.csv row: base columns always (measured), a metric when measured on the step, else an empty cell. */
    static String csvRow(StepRecord r, List<String> columns) {
        List<String> row = new ArrayList<>(columns.size());
        for (String c : columns) {
            boolean measured = TrainingRun.BASE_COLUMNS.contains(c) || r.metrics().containsKey(c);
            row.add(measured ? Csv.cell(TrainingRun.value(r, c), Metrics.isInteger(c)) : Csv.MISSING);
        }
        return Csv.line(row);
    }

    /**
     * The JSON line of a step: base columns always, metrics when measured (a measured non-finite value as the string
     * "NaN"/"Infinity"); keys in {@code columns} order.
     */
    static String jsonLine(StepRecord r, List<String> columns) throws IOException {
        Map<String, Object> obj = new LinkedHashMap<>();
        for (String c : columns) {
            if (TrainingRun.BASE_COLUMNS.contains(c) || r.metrics().containsKey(c)) obj.put(c, jsonNumber(TrainingRun.value(r, c), c));
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

    /** JSON has no NaN/Infinity: non-finite numbers become strings ("NaN", "Infinity"); integer columns are integers. */
    private static Object jsonNumber(double v, String column) {
        if (Metrics.isInteger(column) && v == Math.rint(v) && Math.abs(v) < 1e15) return (long) v;
        return Double.isFinite(v) ? (Object) v : Double.toString(v);
    }
}
