package org.tuneless.optim;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Schedule-Free AdamW in its readable form (arXiv 2405.15682, Algorithm 1; the official
 * {@code schedulefree.AdamWScheduleFreeReference}): x, y and z stored explicitly, z ← z − lr·ĝ with ĝ as in
 * {@link ScheduleFreeAdamW} (weight decay at y, i.e. z ← z − lr·λ·y folded into ĝ; the official {@code decay_at_z}
 * option is not offered), x ← (1−c)·x + c·z, y ← β₁·x + (1−β₁)·z, parameters ← y. Same numbers as the fast form up
 * to rounding; the point to evaluate at is the stored x.
 */
public final class ScheduleFreeAdamWReference extends ScheduleFree {

    private final double beta2;
    private final double eps;

    public ScheduleFreeAdamWReference() { this(0.0025, 0.9, 0.999, 1e-8, 0, 0, 0, 2); }

    public ScheduleFreeAdamWReference(double lr, double beta1, double beta2, double eps, double weightDecay, long warmupSteps, double r,
                                      double weightLrPower) {
        super("Schedule-Free AdamW (reference)", lr, beta1, weightDecay, warmupSteps, r, weightLrPower, true);
        this.beta2 = Hyperparameters.unitInterval("Schedule-Free AdamW (reference)", "beta2", beta2, "0.999");
        this.eps = Hyperparameters.nonNegative("Schedule-Free AdamW (reference)", "eps", eps);
    }

    @Override void initDirection(OptimizerState state) { state.addTensor("exp_avg_sq"); }

    @Override INDArray direction(StepContext ctx, OptimizerState state, double k) {
        return ScheduleFreeAdamW.adamDirection(ctx, state, k, beta2, eps, weightDecay);
    }

    @Override void nameParts(List<String> parts) {
        if (beta2 != 0.999) parts.add("beta2=" + BaseOptimizer.fmt(beta2));
        if (eps != 1e-8) parts.add("eps=" + BaseOptimizer.fmt(eps));
    }

    @Override String label() { return "sf-adamw"; }
}
