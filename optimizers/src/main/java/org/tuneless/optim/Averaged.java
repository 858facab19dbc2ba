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
 * <p>The weight w_t comes from a {@link Mode}:
 * <ul>
 *   <li>{@link #polynomial} decay (Shamir &amp; Zhang 2013), the averager the DoG authors call crucial (arXiv 2302.12022,
 *       and the dog-optimizer README; their example uses γ = 8): w_t = (γ + 1)/(γ + t), computed as the official
 *       {@code PolynomialDecayAverager} does (multiply by 1 − w, then add w·x);</li>
 *   <li>{@link #ema} (β): w_1 = 1, then w_t = 1 − β, i.e. x̄ ← β·x̄ + (1 − β)·x_t starting from x̄ = x_1 (as torch's
 *       {@code AveragedModel} with {@code get_ema_multi_avg_fn}: the first update copies);</li>
 *   <li>{@link #swa} from update k (Izmailov et al., arXiv 1803.05407, eq. in Alg. 1 with a constant learning rate):
 *       w_t = 1 for t ≤ k (x̄ follows the iterate), then 1/(t − k + 1) — the uniform average of x_k, …, x_t.</li>
 * </ul>
 * (The official averagers copy integer buffers such as batch-norm counters instead of averaging them; only parameters
 * are averaged here. SWA's recomputation of batch-norm statistics at x̄ is the evaluator's business.)
 *
 * See docs/methods.md §9.2.
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

    /** Exponential moving average x̄ ← β·x̄ + (1 − β)·x (x̄ = x_1 after the first step), β ∈ [0, 1). */
    public static Mode ema(double beta) {
        double b = Hyperparameters.unitInterval("EMA averaging", "beta", beta, "0.999");
        return new Mode() {
            @Override public double weight(double t) { return t <= 1 ? 1 : 1 - b; }

            @Override public String label() { return "ema(" + BaseOptimizer.fmt(b) + ")"; }
        };
    }

    /** Stochastic weight averaging: the uniform average of the iterates from update {@code start} (≥ 1) on. */
    public static Mode swa(long start) {
        if (start < 1) throw new IllegalArgumentException("SWA averaging: start = " + start + " must be a positive step number (valid: 1, 2, …)");
        return new Mode() {
            @Override public double weight(double t) { return t <= start ? 1 : 1 / (t - start + 1); }

            @Override public String label() { return "swa(from " + start + ")"; }
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

    /** Schedules pass through to the base (averaging has no learning rate of its own). */
    @Override public boolean followsSchedule() { return base.followsSchedule(); }

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
