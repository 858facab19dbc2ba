package org.tuneless.run;

import java.util.ArrayList;
import java.util.List;

import org.tuneless.train.EvaluationRecord;
import org.tuneless.train.StepRecord;
import org.tuneless.train.TrainingRun;

/**
 * The outcome of one {@link Trial}, as plain data (no tensors, no network) so that it can cross a process boundary:
 * the trial id, the spec as JSON, the status (a {@link org.tuneless.train.TrainingStatus} name or {@link #FAILED} when
 * the trial threw), a message, the steps run, wall seconds, the final and best training loss, and a compact history:
 * every evaluation record and, at each evaluation step, the {@link Point} of the step record (learning rate, loss, time),
 * and η·λmax at every step curvature tracking measured it ({@link EdgePoint}; empty without tracking), and the host
 * that ran it (its name, "" when unknown).
 */
public record TrialResult(String id, String specJson, String status, String message, long steps, double seconds,
                          double finalLoss, double bestLoss, List<EvaluationRecord> evaluations, List<Point> trace, List<EdgePoint> edge,
                          String host) {

    /** Status of a trial that threw instead of finishing (bad spec, out of memory, a bug). */
    public static final String FAILED = "FAILED";

    /** The step record at an evaluation step: the learning rate applied, the training loss, seconds since the start. */
    public record Point(long step, double seconds, double learningRate, double loss) {}

    /** η·λmax ({@code lr_x_sharpness}) at a step where curvature tracking measured it. */
    public record EdgePoint(long step, double lrTimesSharpness) {}

    @com.fasterxml.jackson.annotation.JsonCreator
    public TrialResult {
        evaluations = List.copyOf(evaluations);
        trace = List.copyOf(trace);
        edge = edge == null ? List.of() : List.copyOf(edge);
        if (message == null) message = "";
        if (host == null) host = "";
    }

    /** A result without a host. */
    public TrialResult(String id, String specJson, String status, String message, long steps, double seconds,
                       double finalLoss, double bestLoss, List<EvaluationRecord> evaluations, List<Point> trace, List<EdgePoint> edge) {
        this(id, specJson, status, message, steps, seconds, finalLoss, bestLoss, evaluations, trace, edge, "");
    }

    /** The same result under another id (a resumed sweep's stored result reported for a planned trial). */
    public TrialResult withId(String newId) {
        return new TrialResult(newId, specJson, status, message, steps, seconds, finalLoss, bestLoss, evaluations, trace, edge, host);
    }

    /** The name of this machine (what {@link #of} and {@link #failed} record as the host). */
    public static String localHost() {
        return HOST;
    }

    private static final String HOST = hostName();

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return env == null ? "" : env;
        }
    }

    /** The spec this trial ran. */
    public RunSpec spec() { return RunSpec.fromJson(specJson); }

    public boolean failed() { return FAILED.equals(status); }

    /** The compact result of a finished run. */
    public static TrialResult of(Trial trial, TrainingRun run, double seconds) {
        List<StepRecord> h = run.history();
        List<Point> trace = new ArrayList<>();
        java.util.TreeSet<Long> evalSteps = new java.util.TreeSet<>();
        for (EvaluationRecord e : run.evaluations()) evalSteps.add(e.step());
        int i = 0;
        for (long s : evalSteps) {
            // the last step record at or before the evaluation step (the evaluation after step s sees s steps' updates)
            while (i + 1 < h.size() && h.get(i + 1).step() <= s) i++;
            if (h.isEmpty() || h.get(i).step() > s) continue;
            StepRecord r = h.get(i);
            trace.add(new Point(s, r.seconds(), r.learningRate(), r.loss()));
        }
        long steps = h.size();  // step records are numbered from 0
        List<EdgePoint> edge = new ArrayList<>();
        for (StepRecord r : h) {
            double v = r.metric(org.tuneless.metrics.Metrics.LR_X_SHARPNESS);
            if (Double.isFinite(v)) edge.add(new EdgePoint(r.step(), v));
        }
        return new TrialResult(trial.id(), trial.spec().toJson(), run.status().name(), run.statusMessage(), steps, seconds,
                run.finalLoss(), run.bestLoss(), run.evaluations(), trace, edge, HOST);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature());

    /**
     * This result as one line of JSON, for executors that ship results between processes; doubles round-trip exactly
     * (NaN and ±∞ included), so a result read back equals the one written.
     */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write trial result " + id + " as JSON: " + e.getMessage(), e);
        }
    }

    /** A result written by {@link #toJson()}. */
    public static TrialResult fromJson(String json) {
        try {
            return JSON.readValue(json, TrialResult.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not a trial result (" + e.getOriginalMessage() + "): "
                    + (json.length() > 200 ? json.substring(0, 200) + "…" : json), e);
        }
    }

    /** A trial that threw: its {@code Throwable} as the message, nothing measured. */
    public static TrialResult failed(Trial trial, Throwable e, double seconds) {
        String m = e.getClass().getSimpleName() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
        return new TrialResult(trial.id(), trial.spec().toJson(), FAILED, m, 0, seconds, Double.NaN, Double.NaN, List.of(), List.of(), List.of(), HOST);
    }
}
