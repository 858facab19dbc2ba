package org.tuneless.bench;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.tuneless.optim.Optimizers;
import org.tuneless.run.Trial;
import org.tuneless.run.TrialExecutor;
import org.tuneless.run.TrialResult;
import org.tuneless.train.EvaluationRecord;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Sets the workload targets of a suite level, reproducibly (AlgoPerf sets its targets from tuned baselines the same
 * way, arXiv 2306.07179 §4.3): Adam at its defaults except the learning rate, over {@link Contenders#ADAM_LRS}
 * (1e-4 … 1e-1, 7 values, one every half decade), seed 0, the level's budget and evaluation schedule; the best
 * validation metric reached at any evaluation of any grid point, relaxed by {@link #ACCURACY_MARGIN} (accuracy:
 * minus one point) or {@link #LOSS_FACTOR} (losses: times 1.02), rounded outward to 4 decimals. Deterministic: the runs
 * are (same seed, same numbers) and the file is written with a fixed key order.
 */
public final class Targets {

    private Targets() {}

    public static final double ACCURACY_MARGIN = 0.01;
    public static final double LOSS_FACTOR = 1.02;

    /** One workload's target and how it was set. */
    public record Target(String workload, double target, double best, double bestLr, long bestStep) {}

    /** The suite file with the targets of {@code level} set (all its workloads, or {@code only}). */
    public static SuiteFile set(SuiteFile file, String level, List<String> only, List<Double> lrs, long seed, TrialExecutor executor,
                                java.util.function.Consumer<String> log) throws InterruptedException {
        Suite suite = file.level(level);
        if (only != null && !only.isEmpty()) suite = suite.only(only);
        List<Trial> trials = new ArrayList<>();
        Map<String, Workload> byId = new LinkedHashMap<>();
        for (Workload w : suite.workloads()) {
            for (double lr : lrs) {
                String id = w.name() + "/adam/lr=" + BenchRow.num(lr);
                trials.add(new Trial(id, w.runSpec(Optimizers.CATALOG.spec("adam", Map.of("lr", lr)), List.of(), seed, "adam")));
                byId.put(id, w);
            }
        }
        Map<String, TrialResult> results = new LinkedHashMap<>();
        executor.run(trials, r -> {
            results.put(r.id(), r);
            if (log != null) log.accept(String.format(java.util.Locale.ROOT, "[%d/%d] %s %s (%.1f s)", results.size(), trials.size(), r.id(), r.status(), r.seconds()));
        });
        SuiteFile out = file;
        for (Workload w : suite.workloads()) {
            Target t = target(w, lrs, results);
            ObjectNode by = SuiteFile.JSON.createObjectNode();
            by.put("optimizer", "adam");
            var g = by.putArray("lrGrid");
            lrs.forEach(g::add);
            by.put("seed", seed);
            by.put("bestLr", t.bestLr());
            by.put("bestMetric", t.best());
            by.put("bestStep", t.bestStep());
            by.put("margin", w.metric().higherIsBetter() ? "best − " + ACCURACY_MARGIN : "best × " + LOSS_FACTOR);
            out = out.withTarget(level, w.name(), t.target(), by);
        }
        return out;
    }

    static Target target(Workload w, List<Double> lrs, Map<String, TrialResult> results) {
        Metric m = w.metric();
        double best = Double.NaN, bestLr = Double.NaN;
        long bestStep = -1;
        for (double lr : lrs) {
            TrialResult r = results.get(w.name() + "/adam/lr=" + BenchRow.num(lr));
            if (r == null || r.status().equals("DIVERGED") || r.failed()) continue;
            for (EvaluationRecord e : r.evaluations()) {
                double v = m.of(e);
                if (m.better(v, best)) { best = v; bestLr = lr; bestStep = e.step(); }
            }
        }
        if (Double.isNaN(best)) throw new IllegalStateException(w.name() + ": no Adam learning rate of " + lrs + " gave a finite " + m + "; the workload cannot get a target");
        double t = m.higherIsBetter()
                ? BigDecimal.valueOf(best - ACCURACY_MARGIN).setScale(4, RoundingMode.FLOOR).doubleValue()
                : BigDecimal.valueOf(best * LOSS_FACTOR).setScale(4, RoundingMode.CEILING).doubleValue();
        return new Target(w.name(), t, best, bestLr, bestStep);
    }
}
