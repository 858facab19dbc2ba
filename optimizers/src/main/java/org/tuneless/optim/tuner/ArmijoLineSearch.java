package org.tuneless.optim.tuner;

import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.metrics.Metrics;
import org.tuneless.optim.Hyperparameters;
import org.tuneless.optim.OptimizerState;
import org.tuneless.optim.StepContext;
import org.tuneless.optim.UpdateDirection;
import org.tuneless.tensor.Vectors;

/**
 * Backtracking line search with the relaxed Armijo condition of Roulet et al. (arXiv 2407.06183, eq. 1, App. C.3; docs/methods.md §3.4): accept the first
 * η = c₋ᵏ·η₀, k = 0, 1, …, with f(w + ηu) ≤ (1 + δ)·f(w) + c·η·∇f(w)ᵀu, starting from η₀ = min(c₊·η_{t−1}, 1)
 * (c₊ = ∞: start at 1 every step). Budget: at most {@code maxTrials} evaluations — the paper searches until satisfied
 * in full batch (use a large budget, {@link #FULL_BATCH_TRIALS}) and at most 30 times in minibatch. When the budget is
 * exhausted the last η tried is taken (the paper leaves this case open) and {@code ls.satisfied} is 0.
 * Requires a descent direction. Diagnostics: {@code ls.trials}, {@code ls.satisfied}.
 */
public final class ArmijoLineSearch extends StepSizeTuner {

    /** A budget large enough that a full-batch search ends by the condition, not the budget. */
    public static final int FULL_BATCH_TRIALS = 200;
    public static final int MINIBATCH_TRIALS = 30;

    private final double c;
    private final double cPlus;
    private final double cMinus;
    private final double delta;
    private final int maxTrials;

    public ArmijoLineSearch(UpdateDirection base) { this(base, 1e-4, Double.POSITIVE_INFINITY, 0.8, 0, FULL_BATCH_TRIALS); }

    public ArmijoLineSearch(UpdateDirection base, double c, double cPlus, double cMinus, double delta, int maxTrials) {
        super(base);
        this.c = Hyperparameters.nonNegative("line search", "c", c);
        if (!(cPlus >= 1)) throw new IllegalArgumentException("line search: c-plus = " + cPlus + " must be ≥ 1 (∞ = restart at 1 every step)");
        this.cPlus = cPlus;
        if (!(cMinus > 0 && cMinus < 1)) throw new IllegalArgumentException("line search: c-minus = " + cMinus + " must be in (0, 1); typical 0.8 or 0.9");
        this.cMinus = cMinus;
        this.delta = Hyperparameters.nonNegative("line search", "delta", delta);
        if (maxTrials < 1) throw new IllegalArgumentException("line search: max-trials = " + maxTrials + " must be ≥ 1");
        this.maxTrials = maxTrials;
    }

    @Override public String name() {
        return "linesearch(" + baseName() + ", c=" + c + ", c-=" + cMinus + (Double.isInfinite(cPlus) ? "" : ", c+=" + cPlus)
                + (delta != 0 ? ", delta=" + delta : "") + ")";
    }

    /** State: {@code eta_prev}, the previous accepted step η_{t−1} (NaN before the first step). */
    @Override protected void initState(OptimizerState state) {
        state.setScalar(ETA_PREV, Double.NaN);
    }

    private static final String ETA_PREV = "eta_prev";

    /** The first trial step given the previous accepted step: min(c₊·η_{t−1}, 1), or 1 on the first step (NaN). */
    public double initialStep(double previous) {
        return Double.isNaN(previous) || Double.isInfinite(cPlus) ? 1.0 : Math.min(cPlus * previous, 1.0);
    }

    /**
     * Tries w + η·u for η = η₀, c₋η₀, … through {@link org.tuneless.objective.Objective#withParameters}: the live
     * parameters never move here; the tuner's step applies the accepted η afterwards.
     */
    @Override protected double stepSize(StepContext ctx, OptimizerState state, INDArray u, Map<String, Double> diag) {
        INDArray w = ctx.parameters();
        INDArray trial = state.scratch("trial");
        double f0 = ctx.loss();
        double slope = Vectors.dot(ctx.gradient(), u);
        double eta = initialStep(state.scalar(ETA_PREV));
        int trials = 0;
        boolean ok = false;
        while (trials < maxTrials) {
            trials++;
            trial.assign(w);
            Vectors.axpy(eta, u, trial);
            double f = ctx.objective().lossAt(trial);
            if (f <= (1 + delta) * f0 + c * eta * slope) {
                ok = true;
                break;
            }
            if (trials < maxTrials) eta *= cMinus;
        }
        state.setScalar(ETA_PREV, eta);
        diag.put(Metrics.LS_TRIALS, (double) trials);
        diag.put(Metrics.LS_SATISFIED, ok ? 1.0 : 0.0);
        return eta;
    }
}
