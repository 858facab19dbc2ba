package org.tuneless.bench;

import java.util.List;
import java.util.Locale;

import org.tuneless.train.EvaluationRecord;

/**
 * What a workload measures on its validation split: {@code accuracy} (higher is better) or {@code loss} (lower is
 * better: cross-entropy for the language models, ½‖·‖² MSE for regression), on the split {@code test}.
 */
public record Metric(String split, String name) {

    public static final List<String> NAMES = List.of("accuracy", "loss");

    public Metric {
        if (!split.equals("test") && !split.equals("train")) throw new IllegalArgumentException("metric split '" + split + "'; valid: test, train");
        if (!NAMES.contains(name)) throw new IllegalArgumentException("metric '" + name + "'; valid: accuracy (higher is better), loss (lower is better)");
    }

    /** {@code "test accuracy"}, {@code "test loss"} or {@code "accuracy"} (test split). */
    public static Metric parse(String text) {
        String[] p = text.trim().toLowerCase(Locale.ROOT).split("\\s+");
        if (p.length == 1) return new Metric("test", p[0]);
        if (p.length == 2) return new Metric(p[0], p[1]);
        throw new IllegalArgumentException("metric '" + text + "': expected e.g. \"test accuracy\" or \"test loss\"");
    }

    public boolean higherIsBetter() { return name.equals("accuracy"); }

    /** The metric of an evaluation, or NaN when it is of another split. */
    public double of(EvaluationRecord e) {
        if (!e.split().equals(split)) return Double.NaN;
        return name.equals("accuracy") ? e.accuracy() : e.loss();
    }

    /** Whether {@code value} meets {@code target}. NaN never does. */
    public boolean reaches(double value, double target) {
        if (Double.isNaN(value)) return false;
        return higherIsBetter() ? value >= target : value <= target;
    }

    /** Whether {@code a} is better than {@code b} (NaN is worst). */
    public boolean better(double a, double b) {
        if (Double.isNaN(a)) return false;
        if (Double.isNaN(b)) return true;
        return higherIsBetter() ? a > b : a < b;
    }

    /** The better of two values (NaN only if both are). */
    public double best(double a, double b) { return better(a, b) ? a : Double.isNaN(b) ? a : b; }

    /** Whether {@code value} is within {@code fraction} of {@code best}: ≥ best·(1 − f) for accuracy, ≤ best·(1 + f) for a loss. */
    public boolean within(double value, double best, double fraction) {
        if (Double.isNaN(value) || Double.isNaN(best)) return false;
        return higherIsBetter() ? value >= best * (1 - fraction) : value <= best * (1 + fraction);
    }

    @Override public String toString() { return split + " " + name; }
}
