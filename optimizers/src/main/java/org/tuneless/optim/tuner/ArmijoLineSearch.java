package org.tuneless.optim.tuner;

import java.util.Map;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.tensor.Workspaces;
import org.tuneless.optim.Hyperparameters;
import org.tuneless.optim.StepContext;
import org.tuneless.optim.UpdateDirection;
import org.tuneless.tensor.Vectors;

/**
 * Backtracking line search with the relaxed Armijo condition of seed 003 (eq. 1, App. C.3): accept the first
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
    private double previous = Double.NaN;
    private INDArray start;

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

    /** Sets η_{t−1}, the previous accepted step (e.g. when resuming a run). */
    public void setPreviousStep(double eta) { this.previous = eta; }

    /** The first trial step: min(c₊·η_{t−1}, 1), or 1 on the first step. */
    public double initialStep() {
        return Double.isNaN(previous) || Double.isInfinite(cPlus) ? 1.0 : Math.min(cPlus * previous, 1.0);
    }

    @Override protected double stepSize(StepContext ctx, INDArray u, Map<String, Double> diag) {
        INDArray w = ctx.parameters();
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            if (start == null || start.length() != w.length()) start = w.dup();
            else start.assign(w);
        }
        double f0 = ctx.loss();
        double slope = Vectors.dot(ctx.gradient(), u);
        double eta = initialStep();
        int trials = 0;
        boolean ok = false;
        try {
            while (trials < maxTrials) {
                trials++;
                w.assign(start);
                Vectors.axpy(eta, u, w);
                double f = ctx.objective().loss();
                if (f <= (1 + delta) * f0 + c * eta * slope) {
                    ok = true;
                    break;
                }
                if (trials < maxTrials) eta *= cMinus;
            }
        } finally {
            w.assign(start);
        }
        previous = eta;
        diag.put("ls.trials", (double) trials);
        diag.put("ls.satisfied", ok ? 1.0 : 0.0);
        return eta;
    }
}
