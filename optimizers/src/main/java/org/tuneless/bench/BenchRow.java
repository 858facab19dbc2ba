package org.tuneless.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.tuneless.run.TrialResult;
import org.tuneless.train.EvaluationRecord;

/**
 * One run of the benchmark: one row of results.csv. Missing values are null (an empty cell); {@code stepsToTarget} and
 * {@code timeToTarget} are null when the target was not reached. The traces are compact text:
 * {@code metricTrace} = "step:value;…" of the workload's metric at every evaluation, {@code lrTrace} = "step:lr;…"
 * (the learning rate the optimizer applied, adapted or scheduled), {@code timeTrace} = "step:seconds;…",
 * {@code edgeTrace} = "step:η·λmax;…" at every step curvature tracking measured it (empty without tracking).
 */
public record BenchRow(String trial, String workload, String optimizer, Ruleset ruleset, String knob, Double knobValue, long seed,
                       String status, long steps, double wallSeconds, String metric, Double target, boolean reached,
                       Long stepsToTarget, Double timeToTarget, Double bestMetric, Double finalMetric, Double finalTrainLoss,
                       String message, String metricTrace, String lrTrace, String timeTrace, String spec, String edgeTrace) {

    public static final List<String> COLUMNS = List.of("trial", "workload", "optimizer", "ruleset", "knob", "knob_value", "seed", "status",
            "steps", "wall_s", "metric", "target", "reached", "steps_to_target", "time_to_target_s", "best_metric", "final_metric",
            "final_train_loss", "message", "metric_trace", "lr_trace", "time_trace", "spec", "edge_trace");

    /** The columns of results.csv files written before {@code edge_trace} existed (still read; the cell is empty). */
    public static final List<String> COLUMNS_V1 = COLUMNS.subList(0, COLUMNS.size() - 1);

    /** Columns that hold wall-clock measurements (they differ between two runs of the same trials). */
    public static final List<String> TIME_COLUMNS = List.of("wall_s", "time_to_target_s", "time_trace");

    /** Whether the run diverged (status DIVERGED) or failed to run. */
    public boolean diverged() { return status.equals("DIVERGED"); }

    public boolean failed() { return status.equals(TrialResult.FAILED); }

    /** The row of a finished trial. */
    public static BenchRow of(TrialId id, Workload w, TrialResult r) {
        Metric m = w.metric();
        StringBuilder mt = new StringBuilder(), lt = new StringBuilder(), tt = new StringBuilder(), et = new StringBuilder();
        for (TrialResult.EdgePoint p : r.edge()) append(et, p.step(), p.lrTimesSharpness());
        double best = Double.NaN, last = Double.NaN;
        Long reachedAt = null;
        for (EvaluationRecord e : r.evaluations()) {
            double v = m.of(e);
            if (!e.split().equals(m.split())) continue;
            append(mt, e.step(), v);
            best = m.best(v, best);
            last = v;
            if (reachedAt == null && w.target() != null && m.reaches(v, w.target())) reachedAt = e.step();
        }
        Double timeAt = null;
        for (TrialResult.Point p : r.trace()) {
            append(lt, p.step(), p.learningRate());
            append(tt, p.step(), round(p.seconds()));
            if (reachedAt != null && p.step() == reachedAt) timeAt = round(p.seconds());
        }
        if (reachedAt != null && timeAt == null) timeAt = round(r.seconds());
        Double finalTrain = r.evaluations().stream().filter(e -> e.split().equals("train")).reduce((a, b) -> b).map(EvaluationRecord::loss).orElse(null);
        return new BenchRow(id.text(), w.name(), id.optimizer(), id.ruleset(), id.knob(), id.knobValue(), id.seed(), r.status(), r.steps(),
                round(r.seconds()), m.toString(), w.target(), reachedAt != null, reachedAt, timeAt, nan(best), nan(last), finalTrain,
                r.message(), mt.toString(), lt.toString(), tt.toString(), compact(r.specJson()), et.toString());
    }

    private static double round(double seconds) { return Math.round(seconds * 1000) / 1000.0; }

    private static Double nan(double v) { return Double.isNaN(v) ? null : v; }

    private static void append(StringBuilder b, long step, double v) {
        if (b.length() > 0) b.append(';');
        b.append(step).append(':').append(num(v));
    }

    static String compact(String json) {
        try {
            return SuiteFile.JSON.readTree(json).toString();
        } catch (Exception e) {
            return json;
        }
    }

    /** Numbers as Java prints doubles (round-trip exact), integers without ".0", NaN/∞ as text. */
    static String num(double v) {
        return org.tuneless.metrics.Csv.compact(v);
    }

    /** The trace "step:value;…" as pairs. */
    public static List<double[]> trace(String text) {
        List<double[]> out = new ArrayList<>();
        if (text == null || text.isEmpty()) return out;
        for (String p : text.split(";")) {
            int c = p.indexOf(':');
            out.add(new double[]{Double.parseDouble(p.substring(0, c)), Double.parseDouble(p.substring(c + 1))});
        }
        return out;
    }

    /** The cells in {@link #COLUMNS} order; null = empty cell. */
    public List<String> cells() {
        return java.util.Arrays.asList(trial, workload, optimizer, ruleset.label(), knob, knobValue == null ? null : num(knobValue),
                Long.toString(seed), status, Long.toString(steps), num(wallSeconds), metric, target == null ? null : num(target),
                Boolean.toString(reached), stepsToTarget == null ? null : Long.toString(stepsToTarget), timeToTarget == null ? null : num(timeToTarget),
                bestMetric == null ? null : num(bestMetric), finalMetric == null ? null : num(finalMetric),
                finalTrainLoss == null ? null : num(finalTrainLoss), message, metricTrace, lrTrace, timeTrace, spec, edgeTrace);
    }

    /** A row from its cells (results.csv). */
    public static BenchRow fromCells(java.util.function.Function<String, String> cell) {
        return new BenchRow(cell.apply("trial"), cell.apply("workload"), cell.apply("optimizer"), Ruleset.parse(cell.apply("ruleset")),
                empty(cell.apply("knob")), dbl(cell.apply("knob_value")), Long.parseLong(cell.apply("seed")), cell.apply("status"),
                Long.parseLong(cell.apply("steps")), Double.parseDouble(cell.apply("wall_s")), cell.apply("metric"), dbl(cell.apply("target")),
                Boolean.parseBoolean(cell.apply("reached")), lng(cell.apply("steps_to_target")), dbl(cell.apply("time_to_target_s")),
                dbl(cell.apply("best_metric")), dbl(cell.apply("final_metric")), dbl(cell.apply("final_train_loss")),
                nz(cell.apply("message")), nz(cell.apply("metric_trace")), nz(cell.apply("lr_trace")), nz(cell.apply("time_trace")), nz(cell.apply("spec")),
                nz(cell.apply("edge_trace")));
    }

    private static String empty(String s) { return s == null || s.isEmpty() ? null : s; }

    private static String nz(String s) { return s == null ? "" : s; }

    private static Double dbl(String s) { return s == null || s.isEmpty() ? null : Double.valueOf(s); }

    private static Long lng(String s) { return s == null || s.isEmpty() ? null : Long.valueOf(s); }

    /** The row without its wall-clock columns (to compare two runs of the same trials). */
    public List<String> cellsWithoutTimes() {
        List<String> c = new ArrayList<>(cells());
        for (String t : TIME_COLUMNS) c.set(COLUMNS.indexOf(t), null);
        return c;
    }

    @Override public String toString() { return String.format(Locale.ROOT, "%s %s %s", trial, status, reached ? "reached" : "not reached"); }
}
