package org.tuneless.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.nn.Network;
import org.tuneless.optim.OptimizerState;

/**
 * The result of a training run: its configuration, status, per-step history, evaluations and final parameters.
 * A diverged run keeps everything it recorded and the last parameters whose loss and gradient were finite.
 */
public final class TrainingRun {

    /** The fixed history columns, in export order; metric columns follow. */
    public static final List<String> BASE_COLUMNS = List.of("step", "epoch", "loss", "lr", "grad_norm", "update_norm", "time_s");

    private final String label;
    private final Map<String, Object> config;
    private final TrainingStatus status;
    private final String statusMessage;
    private final long stoppedAtStep;
    private final List<StepRecord> history;
    private final List<EvaluationRecord> evaluations;
    private final INDArray finalParameters;
    private final double finalLoss;
    private final Network network;
    private final double seconds;
    private final OptimizerState optimizerState;
    private final INDArray evaluationParameters;
    private final long stepsRecorded;
    private final long historyStride;
    private final double exactBestLoss;

    TrainingRun(String label, Map<String, Object> config, TrainingStatus status, String statusMessage, long stoppedAtStep,
                List<StepRecord> history, List<EvaluationRecord> evaluations, INDArray finalParameters, double finalLoss,
                Network network, double seconds, OptimizerState optimizerState, INDArray evaluationParameters) {
        this(label, config, status, statusMessage, stoppedAtStep, history, evaluations, finalParameters, finalLoss, network, seconds,
                optimizerState, evaluationParameters, history.size(), 1, Double.NaN);
    }

    TrainingRun(String label, Map<String, Object> config, TrainingStatus status, String statusMessage, long stoppedAtStep,
                List<StepRecord> history, List<EvaluationRecord> evaluations, INDArray finalParameters, double finalLoss,
                Network network, double seconds, OptimizerState optimizerState, INDArray evaluationParameters,
                long stepsRecorded, long historyStride, double exactBestLoss) {
        this.stepsRecorded = stepsRecorded;
        this.historyStride = historyStride;
        this.exactBestLoss = exactBestLoss;
        this.label = label;
        this.config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
        this.status = status;
        this.statusMessage = statusMessage;
        this.stoppedAtStep = stoppedAtStep;
        this.history = List.copyOf(history);
        this.evaluations = List.copyOf(evaluations);
        this.finalParameters = finalParameters;
        this.finalLoss = finalLoss;
        this.network = network;
        this.seconds = seconds;
        this.optimizerState = optimizerState;
        this.evaluationParameters = evaluationParameters;
    }

    /**
     * A run assembled from recorded steps and evaluations alone, without parameters, network or optimizer state: for
     * charts and tables of runs whose history comes from elsewhere (files, tests). Its final loss is the last finite
     * recorded loss; {@link #finalParameters()}, {@link #evaluationParameters()} and {@link #optimizerState()} refuse.
     */
    public static TrainingRun fromRecords(String label, TrainingStatus status, List<StepRecord> history,
                                          List<EvaluationRecord> evaluations, double seconds) {
        if (label == null || label.isBlank()) throw new IllegalArgumentException("a run needs a label (e.g. the optimizer's name)");
        double finalLoss = Double.NaN;
        for (int i = history.size() - 1; i >= 0 && Double.isNaN(finalLoss); i--) {
            if (Double.isFinite(history.get(i).loss())) finalLoss = history.get(i).loss();
        }
        return new TrainingRun(label, Map.of(), status, "", -1, history, evaluations, null, finalLoss, null, seconds, null, null);
    }

    /** A short name for the run, by default the optimizer's label. */
    public String label() { return label; }

    /** Everything that configured the run (model, data, optimizer, steps, seed, …), as written to run.json. */
    public Map<String, Object> config() { return config; }

    /**
     * The specification the run was built from (a {@code org.tuneless.run.RunSpec}, also in run.json as
     * {@code config.spec}); empty for runs built by hand with {@link Trainer#builder()}.
     */
    public Optional<org.tuneless.catalog.Specification> spec() {
        return config.get("spec") instanceof org.tuneless.catalog.Specification s ? Optional.of(s) : Optional.empty();
    }

    public TrainingStatus status() { return status; }

    /** Why the run ended, e.g. "loss became NaN at step 41; parameters restored to step 40". */
    public String statusMessage() { return statusMessage; }

    public boolean diverged() { return status == TrainingStatus.DIVERGED; }

    /** The step at which the run diverged or was stopped, or -1 if it completed. */
    public long stoppedAtStep() { return stoppedAtStep; }

    /**
     * The recorded steps in memory, in step order. A long run keeps at most {@code Trainer.Builder.historyLimit} records
     * (default {@value Trainer#DEFAULT_HISTORY_LIMIT}): every {@link #historyStride()}-th step plus the first and the
     * latest; metrics.jsonl/metrics.csv of the run directory hold every step.
     */
    public List<StepRecord> history() { return history; }

    /** Steps recorded (all of them, also those the in-memory {@link #history()} no longer holds). */
    public long stepsRecorded() { return stepsRecorded; }

    /** 1 when {@link #history()} holds every step; 2, 4, … when a long run's history was thinned to its limit. */
    public long historyStride() { return historyStride; }

    public List<EvaluationRecord> evaluations() { return evaluations; }

    public List<EvaluationRecord> evaluations(String split) {
        return evaluations.stream().filter(e -> e.split().equals(split)).toList();
    }

    public Optional<EvaluationRecord> lastEvaluation(String split) {
        List<EvaluationRecord> e = evaluations(split);
        return e.isEmpty() ? Optional.empty() : Optional.of(e.get(e.size() - 1));
    }

    /** Loss at the final (or last finite) parameters, on the last training batch (the full set when full-batch). */
    public double finalLoss() { return finalLoss; }

    /** The smallest finite loss recorded in the history. */
    public double bestLoss() {
        if (Double.isFinite(exactBestLoss)) return exactBestLoss;  // over every step, also those no longer in memory
        return history.stream().mapToDouble(StepRecord::loss).filter(Double::isFinite).min().orElse(Double.NaN);
    }

    /**
     * A copy of the final live parameters (the last finite ones if the run diverged): where the last gradient was taken
     * (Schedule-Free: y). With the optimizer state, what a resume continues from.
     */
    public INDArray finalParameters() { return recorded(finalParameters, "parameters").dup(); }

    /**
     * A copy of the parameters the model is evaluated at: the optimizer's evaluation point at the end of the run
     * (Schedule-Free's x, an iterate average), or the live parameters when it offers none, when evaluations were set to
     * {@link EvaluationMode#LIVE}, or after a divergence. This is "the model" to keep; {@code config().get("evaluation_point")}
     * names it. The {@link #network()} holds the live parameters and the batch-norm statistics gathered there.
     */
    public INDArray evaluationParameters() { return recorded(evaluationParameters, "parameters").dup(); }

    /**
     * A copy of the optimizer's state at the end of the run (after the last step taken; with the final parameters, what
     * {@link Trainer.Builder#resumeFrom} continues from). After a divergence it may hold non-finite values.
     */
    public OptimizerState optimizerState() { return recorded(optimizerState, "optimizer state").copy(); }

    private <T> T recorded(T value, String what) {
        if (value == null) {
            throw new IllegalStateException("run '" + label + "' was assembled from records (TrainingRun.fromRecords) and has no "
                    + what + ": train it with Trainer or the DSL to get them");
        }
        return value;
    }

    /** The trained network (absent when the run optimized a synthetic objective). */
    public Optional<Network> network() { return Optional.ofNullable(network); }

    /** Wall-clock seconds of the whole run. */
    public double seconds() { return seconds; }

    /** Names of the extra metrics recorded on at least one step, in first-seen order. */
    public List<String> metricNames() {
        Set<String> names = new LinkedHashSet<>();
        for (StepRecord r : history) names.addAll(r.metrics().keySet());
        return new ArrayList<>(names);
    }

    /** All history columns: {@link #BASE_COLUMNS} then {@link #metricNames()}. */
    public List<String> columns() {
        List<String> c = new ArrayList<>(BASE_COLUMNS);
        c.addAll(metricNames());
        return c;
    }

    /**
     * The metrics.csv / DataFrame column name of each history column, in {@link #columns()} order: metric name →
     * column name ({@code ecco.dt/dense0.W} → {@code ecco_dt__dense0_W}; {@link org.tuneless.metrics.Csv#columnNames},
     * docs/run-files.md).
     */
    public Map<String, String> columnNames() {
        return org.tuneless.metrics.Csv.columnNames(columns());
    }

    /**
     * One history column as an array over steps; NaN where the value was not measured. {@code column} is a metric name
     * ({@code ecco.dt/dense0.W}) or its metrics.csv column name ({@code ecco_dt__dense0_W}).
     */
    public double[] series(String column) {
        String name = column;
        if (!BASE_COLUMNS.contains(column) && history.stream().noneMatch(r -> r.metrics().containsKey(column))) {
            for (Map.Entry<String, String> e : columnNames().entrySet()) if (e.getValue().equals(column)) name = e.getKey();
        }
        double[] out = new double[history.size()];
        for (int i = 0; i < out.length; i++) out[i] = value(history.get(i), name);
        return out;
    }

    /** Whether the metric was measured on step record {@code i} of {@link #history()} (base columns always are). */
    public boolean measured(int i, String column) {
        return BASE_COLUMNS.contains(column) || history.get(i).metrics().containsKey(column);
    }

    static double value(StepRecord r, String column) {
        return switch (column) {
            case "step" -> r.step();
            case "epoch" -> r.epoch();
            case "loss" -> r.loss();
            case "lr" -> r.learningRate();
            case "grad_norm" -> r.gradientNorm();
            case "update_norm" -> r.updateNorm();
            case "time_s" -> r.seconds();
            default -> r.metric(column);
        };
    }

    /** Writes metrics.csv, metrics.jsonl, evaluations.csv and run.json into {@code directory} (created if needed). */
    public Path writeTo(Path directory) {
        try {
            return RunFiles.write(this, directory);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the run to " + directory.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** A few lines: label, status, steps, final/best loss, last evaluations, wall time. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%s: %s after %d steps in %.1f s%n", label, status, stepsRecorded, seconds));
        if (statusMessage != null && !statusMessage.isEmpty()) sb.append("  ").append(statusMessage).append('\n');
        sb.append(String.format("  final loss %.6g, best loss %.6g%n", finalLoss, bestLoss()));
        for (String split : List.of("train", "test")) {
            lastEvaluation(split).ifPresent(e -> sb.append(String.format("  %s loss %.6g, accuracy %.2f%% (step %d)%n",
                    split, e.loss(), 100 * e.accuracy(), e.step())));
        }
        return sb.toString();
    }

    @Override public String toString() { return summary(); }
}
