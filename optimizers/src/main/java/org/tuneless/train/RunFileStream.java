package org.tuneless.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The run's files written while it runs, so that a crash or a kill leaves usable files: run.json at the start (status
 * RUNNING; always replaced atomically, so it is always a complete document), metrics.jsonl and metrics.csv appended one
 * line per step and flushed at least every {@link #FLUSH_NANOS} (every complete line is valid; a reader ignores a partial
 * last line), evaluations.csv written whole at the first evaluation, then appended a line per evaluation and flushed. At the end {@link RunFiles#write}
 * replaces them all with the final documents. Column and key order are deterministic: the base columns, then metrics
 * in first-seen order (metrics.csv is rewritten with the wider header when a new metric appears).
 */
final class RunFileStream {

    static final long FLUSH_NANOS = 1_000_000_000L;

    private final Path dir;
    private BufferedWriter jsonl;
    private BufferedWriter csv;
    private List<String> columns;
    private long lastFlush;
    private int evaluationsWritten;
    private BufferedWriter evals;  // evaluations.csv, appended after its first write

    RunFileStream(Path dir) { this.dir = dir; }

    /**
     * Checks that {@code dir} can hold a run's files before anything runs: it is created if missing, must be a directory
     * (not a regular file) and writable; the error gives the operating system's reason.
     */
    public static void validate(Path dir) {
        if (dir.toString().isEmpty()) throw new IllegalArgumentException("the output directory is empty: give a directory, e.g. --out runs/x");
        Path abs = dir.toAbsolutePath();
        if (Files.exists(abs) && !Files.isDirectory(abs)) throw new IllegalArgumentException("output " + abs + " is a file, not a directory: choose another --out");
        try {
            Files.createDirectories(abs);
            Path probe = Files.createTempFile(abs, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("output directory " + abs + " is not writable: permission denied (" + e.getFile() + ")");
        } catch (FileSystemException e) {
            throw new IllegalArgumentException("output directory " + abs + " cannot be used: " + (e.getReason() != null ? e.getReason() : e.getMessage()) + " (" + e.getFile() + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException("output directory " + abs + " cannot be used: " + e.getMessage());
        }
    }

    /** Validates the directory, writes run.json (RUNNING), opens the metrics files (a new run). */
    void open(Map<String, Object> config, String label) { open(config, label, List.of(), true, 0); }

    /**
     * Validates the directory, writes run.json (RUNNING) and the history so far (a resumed run's), opens the metrics
     * files. A resumed run whose in-memory history was thinned ({@code complete} false) takes its earlier rows from the
     * existing metrics.jsonl (every step, {@code rows} of them before the checkpoint) when it has them all.
     */
    void open(Map<String, Object> config, String label, List<StepRecord> history, boolean complete, long rows) {
        validate(dir);
        if (!complete && !history.isEmpty()) {
            long resumeStep = history.get(history.size() - 1).step() + 1;
            try {
                List<StepRecord> disk = new ArrayList<>(RunFiles.readJsonl(dir.resolve("metrics.jsonl")));
                disk.removeIf(r -> r.step() >= resumeStep);
                if (disk.size() == rows) history = disk;
            } catch (IOException e) {
                // an unreadable metrics.jsonl: the checkpoint's (thinned) history is what is left
            }
        }
        try {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("label", label);
            meta.put("status", TrainingStatus.RUNNING.name());
            meta.put("status_message", "");
            meta.put("stopped_at_step", null);
            meta.put("steps_recorded", complete ? history.size() : rows);
            meta.put("config", config);
            RunFiles.writeJsonAtomically(dir.resolve("run.json"), meta);
            Path tmp = Files.createTempFile(dir, ".metrics.jsonl", ".tmp");
            jsonl = Files.newBufferedWriter(tmp);
            for (StepRecord r : history) writeJsonl(r);
            jsonl.close();
            RunFiles.move(tmp, dir.resolve("metrics.jsonl"));
            jsonl = Files.newBufferedWriter(dir.resolve("metrics.jsonl"), java.nio.file.StandardOpenOption.APPEND);
            rewriteCsv();
            jsonl.flush();
            lastFlush = System.nanoTime();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run files in " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    void append(StepRecord r) {
        try {
            writeJsonl(r);
            if (!columns.containsAll(r.metrics().keySet())) rewriteCsv();
            else writeCsvRow(r);
            if (System.nanoTime() - lastFlush >= FLUSH_NANOS) flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the run files in " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the evaluations added since the last call: the first time (a new or resumed run) the whole evaluations.csv
     * atomically, then appended line by line and flushed (rewriting it each time made frequent evaluations quadratic:
     * at --eval-every 2 the CSV formatting was most of the evaluation time).
     */
    void evaluations(List<EvaluationRecord> evaluations) {
        if (evaluations.size() == evaluationsWritten) return;
        try {
            if (evals == null) {
                RunFiles.writeEvaluations(dir, evaluations);
                evals = Files.newBufferedWriter(dir.resolve("evaluations.csv"), java.nio.file.StandardOpenOption.APPEND);
            } else {
                for (EvaluationRecord e : evaluations.subList(evaluationsWritten, evaluations.size())) {
                    evals.write(org.tuneless.metrics.Csv.line(RunFiles.evaluationCells(e)));
                }
                evals.flush();
            }
            evaluationsWritten = evaluations.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write evaluations.csv in " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    void flush() throws IOException {
        jsonl.flush();
        csv.flush();
        lastFlush = System.nanoTime();
    }

    /** Closes the streams and writes the final files. */
    void finish(TrainingRun run) {
        try {
            jsonl.close();
            csv.close();
            if (evals != null) evals.close();
            if (run.historyStride() == 1) {
                RunFiles.write(run, dir);
            } else {
                // the history in memory is thinned: the streamed metrics files are the full record and stay
                RunFiles.writeEvaluations(dir, run.evaluations());
                RunFiles.writeMeta(run, dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run files in " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    private void writeJsonl(StepRecord r) throws IOException {
        List<String> cols = new ArrayList<>(TrainingRun.BASE_COLUMNS);
        cols.addAll(r.metrics().keySet());
        jsonl.write(RunFiles.jsonLine(r, cols));
        jsonl.newLine();
    }

    /** Rewrites metrics.csv from metrics.jsonl (the full record on disk) with the columns seen so far. */
    private void rewriteCsv() throws IOException {
        if (csv != null) csv.close();
        jsonl.flush();
        List<StepRecord> history = RunFiles.readJsonl(dir.resolve("metrics.jsonl"));
        Set<String> names = new LinkedHashSet<>(TrainingRun.BASE_COLUMNS);
        for (StepRecord r : history) names.addAll(r.metrics().keySet());
        columns = new ArrayList<>(names);
        Path tmp = Files.createTempFile(dir, ".metrics.csv", ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp)) {
            w.write(RunFiles.csvHeader(columns));
            for (StepRecord r : history) w.write(RunFiles.csvRow(r, columns));
        }
        RunFiles.move(tmp, dir.resolve("metrics.csv"));
        csv = Files.newBufferedWriter(dir.resolve("metrics.csv"), java.nio.file.StandardOpenOption.APPEND);
    }

    private void writeCsvRow(StepRecord r) throws IOException {
        csv.write(RunFiles.csvRow(r, columns));
    }
}
