package org.tuneless.optim.schedule;

import java.util.ArrayList;
import java.util.List;

import org.tuneless.optim.Hyperparameters;

/**
 * A learning-rate schedule: a pure function of (step, total steps) → multiplier of the learning rate, immutable. It is a
 * sequence of <em>phases</em>, each a shape over its own length: a fixed number of steps, a fraction of the total, or
 * "the rest" (what the fixed phases leave; at most one phase per schedule). Phases follow each other ({@link #then}):
 * {@code warmup(100).then(cosine(0))} ramps up over the first 100 steps, then decays by a cosine over the rest. After
 * the last phase the multiplier keeps the value of its last step.
 *
 * <p>Steps are counted from 0 (the trainer's step index); within a phase of length L, p = 0 … L − 1:
 * <ul>
 *   <li>constant(c): c;</li>
 *   <li>warmup: (p + 1)/L — linear from 1/L to 1, so no step is wasted at lr 0 (PyTorch's {@code LinearLR} with
 *       {@code start_factor = 1/L});</li>
 *   <li>cosine(f): f + (1 − f)·(1 + cos(πp/L))/2 (Loshchilov &amp; Hutter, SGDR, arXiv 1608.03983, eq. 5 without
 *       restarts; as HuggingFace's {@code get_cosine_schedule_with_warmup}): 1 at p = 0, (1 + f)/2 at p = L/2;</li>
 *   <li>linear(f): 1 − (1 − f)·p/L;</li>
 *   <li>step(k, γ): γ^⌊p/k⌋ (PyTorch's {@code StepLR});</li>
 *   <li>warmup-stable-decay (Hu et al., MiniCPM, arXiv 2404.06395 §4): warmup, then constant 1, then linear(f) over the
 *       last fraction of the steps.</li>
 * </ul>
 * Its spec form (for JSON, the command line and the DSL) is a list of entries of {@link Schedules#CATALOG}.
 */
public final class Schedule {

    /** The shape of one phase over its length L ≥ 1, at position p ∈ [0, L). */
    private interface Shape {
        double at(long p, long length);

        String label();
    }

    /** A phase: a shape and its length (steps &gt; 0: fixed; fraction &gt; 0: of the total; neither: the rest). */
    private record Phase(Shape shape, long steps, double fraction) {
        boolean isRest() { return steps == 0 && fraction == 0; }

        String label() {
            String len = steps > 0 ? steps + " steps" : fraction > 0 ? BaseFmt.fmt(fraction) + " of the steps" : null;
            return len == null ? shape.label() : shape.label() + " for " + len;
        }
    }

    private final List<Phase> phases;

    private Schedule(List<Phase> phases) {
        this.phases = List.copyOf(phases);
        if (this.phases.stream().filter(Phase::isRest).count() > 1) {
            throw new IllegalArgumentException("schedule: at most one phase may take the rest of the steps (give the others a length): " + label());
        }
    }

    private static Schedule single(Shape s) { return new Schedule(List.of(new Phase(s, 0, 0))); }

    /** The multiplier 1 at every step (no schedule). */
    public static Schedule constant() { return constant(1); }

    /** The multiplier {@code value} at every step. */
    public static Schedule constant(double value) {
        double v = Hyperparameters.nonNegative("constant schedule", "value", value);
        return single(new Shape() {
            @Override public double at(long p, long length) { return v; }

            @Override public String label() { return v == 1 ? "constant" : "constant(" + BaseFmt.fmt(v) + ")"; }
        });
    }

    /** A linear warmup (p + 1)/L over {@code steps} steps, then 1. */
    public static Schedule warmup(long steps) {
        if (steps < 1) throw new IllegalArgumentException("warmup: steps = " + steps + " must be a positive integer (valid: 1, 2, …)");
        return new Schedule(List.of(new Phase(new Shape() {
            @Override public double at(long p, long length) { return (double) (p + 1) / length; }

            @Override public String label() { return "warmup"; }
        }, steps, 0)));
    }

    /** Cosine decay from 1 to {@code finalFraction} (over the rest of the steps unless given a length). */
    public static Schedule cosine(double finalFraction) {
        double f = fraction("cosine", finalFraction);
        return single(new Shape() {
            @Override public double at(long p, long length) { return f + (1 - f) * (1 + Math.cos(Math.PI * p / length)) / 2; }

            @Override public String label() { return f == 0 ? "cosine" : "cosine(final=" + BaseFmt.fmt(f) + ")"; }
        });
    }

    /** Linear decay from 1 to {@code finalFraction}. */
    public static Schedule linear(double finalFraction) {
        double f = fraction("linear", finalFraction);
        return single(new Shape() {
            @Override public double at(long p, long length) { return 1 - (1 - f) * p / length; }

            @Override public String label() { return f == 0 ? "linear" : "linear(final=" + BaseFmt.fmt(f) + ")"; }
        });
    }

    /** γ^⌊p/k⌋: the multiplier times {@code factor} every {@code every} steps. */
    public static Schedule step(long every, double factor) {
        if (every < 1) throw new IllegalArgumentException("step schedule: every = " + every + " must be a positive integer (valid: 1, 2, …)");
        if (!(factor > 0 && factor < 1)) throw new IllegalArgumentException("step schedule: factor = " + factor + " must be in (0, 1)");
        return single(new Shape() {
            @Override public double at(long p, long length) { return Math.pow(factor, (double) (p / every)); }

            @Override public String label() { return "step(every=" + every + ", factor=" + BaseFmt.fmt(factor) + ")"; }
        });
    }

    /** Warmup-stable-decay: warmup over {@code warmup} steps (0: none), 1, then linear to {@code finalFraction} over the last {@code decay} of the steps. */
    public static Schedule wsd(long warmup, double decay, double finalFraction) {
        if (warmup < 0) throw new IllegalArgumentException("wsd: warmup = " + warmup + " must be ≥ 0");
        if (!(decay > 0 && decay < 1)) throw new IllegalArgumentException("wsd: decay = " + decay + " must be a fraction of the steps in (0, 1)");
        Schedule s = warmup > 0 ? warmup(warmup).then(constant()) : constant();
        return s.then(linear(finalFraction).overFraction(decay));
    }

    private static double fraction(String owner, double f) {
        if (!(f >= 0 && f < 1)) throw new IllegalArgumentException(owner + " schedule: final = " + f + " is outside [0, 1) (the fraction of the learning rate at the end)");
        return f;
    }

    /** This schedule followed by {@code next}. */
    public Schedule then(Schedule next) {
        List<Phase> p = new ArrayList<>(phases);
        p.addAll(next.phases);
        return new Schedule(p);
    }

    /** This (single-phase) schedule lasting {@code steps} steps. */
    public Schedule forSteps(long steps) {
        if (steps < 1) throw new IllegalArgumentException("schedule: steps = " + steps + " must be a positive integer (valid: 1, 2, …)");
        return withLength(steps, 0);
    }

    /** This (single-phase) schedule lasting the fraction {@code f} ∈ (0, 1] of the total steps. */
    public Schedule overFraction(double f) {
        if (!(f > 0 && f <= 1)) throw new IllegalArgumentException("schedule: fraction = " + f + " must be in (0, 1]");
        return withLength(0, f);
    }

    private Schedule withLength(long steps, double f) {
        if (phases.size() != 1) throw new IllegalArgumentException("only a single phase can be given a length; this schedule has " + phases.size() + ": " + label());
        return new Schedule(List.of(new Phase(phases.get(0).shape(), steps, f)));
    }

    /** The multiplier of the learning rate at step {@code step} (0-based) of {@code totalSteps}. */
    public double multiplier(long step, long totalSteps) {
        if (step < 0) throw new IllegalArgumentException("schedule: step = " + step + " must be ≥ 0");
        long[] len = lengths(totalSteps);
        long start = 0;
        int last = -1;
        for (int i = 0; i < phases.size(); i++) {
            if (len[i] <= 0) continue;
            if (step < start + len[i]) return phases.get(i).shape().at(step - start, len[i]);
            start += len[i];
            last = i;
        }
        return last < 0 ? 1.0 : phases.get(last).shape().at(len[last] - 1, len[last]);
    }

    /** The length of each phase for a run of {@code totalSteps} steps. */
    private long[] lengths(long totalSteps) {
        long[] len = new long[phases.size()];
        long fixed = 0;
        int rest = -1;
        for (int i = 0; i < len.length; i++) {
            Phase p = phases.get(i);
            if (p.steps() > 0) len[i] = p.steps();
            else if (p.fraction() > 0) len[i] = Math.max(1, Math.round(p.fraction() * totalSteps));
            else rest = i;
            fixed += len[i];
        }
        if (rest >= 0) len[rest] = Math.max(0, totalSteps - fixed);
        return len;
    }

    /** e.g. {@code warmup for 100 steps, then cosine}. */
    public String label() {
        return String.join(", then ", phases.stream().map(Phase::label).toList());
    }

    @Override public String toString() { return label(); }

    /** Number formatting shared with the optimizers' names. */
    private static final class BaseFmt {
        static String fmt(double v) {
            return String.format(java.util.Locale.ROOT, "%.6g", v).replaceAll("\\.?0+$", "");
        }
    }
}
