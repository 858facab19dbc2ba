package org.tuneless.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.metrics.Metrics;
import org.tuneless.nn.Network;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.Vectors;

/**
 * Iterate averaging around any optimizer: the base steps the live parameters exactly as it would alone, and after every
 * step a running average x̄ ← x̄·(1 − w_t) + w_t·x_t is updated (t = 1, 2, …; w_1 = 1, so x̄ = x_1 after the first step).
 * The average is for evaluation only and never feeds back into the optimizer: it is offered as the
 * {@link EvaluationPoint} capability, which evaluations should use; every other capability is the base's.
 *
 * <p>The weight w_t comes from a {@link Mode}. Implemented: {@link #polynomial} decay (Shamir & Zhang 2013), the
 * averager the DoG authors call crucial (arXiv 2302.12022, and the dog-optimizer README; their example uses γ = 8):
 * w_t = (γ + 1)/(γ + t), computed as the official {@code PolynomialDecayAverager} does (multiply by 1 − w, then add
 * w·x). Extension point: an EMA(β) is the mode w_t = max(1 − β, 1/t) or 1 − β; SWA from step k is w_t = 1 for t ≤ k
 * and 1/(t − k + 1) after — each a new {@link Mode} implementation, with the wrapper unchanged. (The official averager
 * copies integer buffers such as batch-norm counters instead of averaging them; only parameters are averaged here.)
 *
 * See docs/algorithms.md §9.2.
 *
 * <p>State: child {@code base} (the base optimizer's state), tensor {@code average} (x̄), scalar {@code t} (the index
 * of the next average update, starting at 1). Reports the base's learning rate and diagnostics, plus
 * {@code average.weight} (w_t).
 */
public final class Averaged implements Optimizer {

    /** The name of the base optimizer's state inside this state. */
    public static final String BASE = "base";

    /** How much weight the newest iterate gets in the average at update t (t ≥ 1; w_1 must be 1). */
    public interface Mode {
        /** w_t ∈ (0, 1]. */
        double weight(double t);

        /** A short label for {@link Optimizer#name()}, e.g. {@code poly(8)}. */
        String label();

        /** What the average is called in evaluation records, e.g. {@code polynomial average}. */
        default String description() { return "average"; }
    }

    /** Polynomial-decay averaging w_t = (γ + 1)/(γ + t), γ ≥ 0 (γ = 0: the uniform average of all iterates). */
    public static Mode polynomial(double gamma) {
        double g = Hyperparameters.nonNegative("polynomial averaging", "gamma", gamma);
        return new Mode() {
            @Override public double weight(double t) { return (g + 1) / (g + t); }

            @Override public String label() { return "poly(" + BaseOptimizer.fmt(g) + ")"; }

            @Override public String description() { return "polynomial average"; }
        };
    }

    private final Optimizer base;
    private final Mode mode;

    public Averaged(Optimizer base, Mode mode) {
        if (base == null) throw new IllegalArgumentException("averaging needs a base optimizer");
        if (mode == null) throw new IllegalArgumentException("averaging needs a mode, e.g. Averaged.polynomial(8)");
        this.base = base;
        this.mode = mode;
    }

    /** Polynomial-decay averaging with γ = 8, as in the DoG authors' example. */
    public static Averaged polynomialDecay(Optimizer base) { return new Averaged(base, polynomial(8)); }

    public Optimizer base() { return base; }

    @Override public String name() { return "averaged(" + base.name() + ", " + mode.label() + ")"; }

    @Override public String toString() { return name(); }

    @Override public OptimizerState init(ParameterLayout layout, DataType type) {
        OptimizerState s = new OptimizerState(layout, type);
        s.addChild(BASE, base.init(layout, type));
        s.addTensor("average");
        s.setScalar("t", 1);
        return s;
    }

    @Override public void prepare(Network network, long seed) { base.prepare(network, seed); }

    @Override public StepResult step(StepContext ctx, OptimizerState state) {
        StepResult r = base.step(ctx, state.child(BASE));
        double t = state.scalar("t");
        double w = mode.weight(t);
        INDArray avg = state.tensor("average");
        avg.muli(1 - w);
        Vectors.axpy(w, ctx.parameters(), avg);
        state.setScalar("t", t + 1);
        Map<String, Double> diag = new LinkedHashMap<>(r.diagnostics());
        diag.put(Metrics.AVERAGE_WEIGHT, w);
        return new StepResult(r.learningRate(), diag);
    }

    /** The average x̄ (live; do not modify), or null before the first step. */
    public INDArray average(OptimizerState state) {
        return state.scalar("t") <= 1 ? null : state.tensor("average");
    }

    /** {@link EvaluationPoint}: the average, once a step was taken; anything else is asked of the base. */
    @Override public <T> Optional<T> capability(Class<T> type, OptimizerState state) {
        if (type == EvaluationPoint.class) {
            if (state.scalar("t") <= 1) return Optional.empty();
            return Optional.of(type.cast(EvaluationPoint.of(mode.description(), (s, live) -> s.tensor("average"))));
        }
        return base.capability(type, state.child(BASE));
    }
}
