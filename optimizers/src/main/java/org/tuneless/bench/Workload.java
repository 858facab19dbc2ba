package org.tuneless.bench;

import org.tuneless.catalog.Component;
import org.tuneless.run.RunSpec;

/**
 * One benchmark workload at one budget level: a run spec (model, data, loss, batch, steps = the step budget, the fixed
 * evaluation schedule; its optimizer is a placeholder replaced by each contender's), the validation metric and the
 * target (null until {@link Targets} set it).
 */
public record Workload(String name, String description, RunSpec spec, Metric metric, Double target) {

    public Workload {
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]*")) {
            throw new IllegalArgumentException("workload name '" + name + "' must be lowercase letters, digits, '.', '_' or '-'");
        }
        if (!spec.evaluation().splits().contains(metric.split())) {
            throw new IllegalArgumentException("workload " + name + ": the metric is on the " + metric.split() + " split, which the evaluation does not include");
        }
        if (target != null && !Double.isFinite(target)) throw new IllegalArgumentException("workload " + name + ": target = " + target + " is not finite");
    }

    /** The step budget. */
    public long steps() { return spec.steps(); }

    /** The run of {@code optimizer} with {@code schedule} and {@code seed} on this workload. */
    public RunSpec runSpec(Component optimizer, java.util.List<Component> schedule, long seed, String label) {
        return runSpec(optimizer, schedule, seed, label, java.util.List.of());
    }

    /** As {@link #runSpec(Component, java.util.List, long, String)}, with curvature {@code tracking}. */
    public RunSpec runSpec(Component optimizer, java.util.List<Component> schedule, long seed, String label, java.util.List<Component> tracking) {
        RunSpec s = spec.withOptimizer(optimizer).withSchedule(schedule).withSeed(seed).withLabel(label);
        if (!tracking.isEmpty()) s = s.withTracking(tracking);
        // time to target compares every evaluation with the target: all of them on the same examples
        if (s.evaluation().periodicSubset() == RunSpec.Evaluation.AUTO) s = s.withEvaluation(s.evaluation().periodicSubset(RunSpec.Evaluation.ALL));
        return s;
    }

    public Workload withTarget(Double t) { return new Workload(name, description, spec, metric, t); }
}
