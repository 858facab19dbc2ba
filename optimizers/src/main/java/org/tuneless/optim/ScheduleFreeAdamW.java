package org.tuneless.optim;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.tensor.Kernels;
import org.tuneless.tensor.Vectors;

/**
 * Schedule-Free AdamW (Defazio et al., arXiv 2405.15682, Algorithm 1 with the Adam base; the official
 * {@code schedulefree.AdamWScheduleFree} 1.4.1), fast form: the live parameters hold y, the state holds z and v — see
 * {@link ScheduleFree} for the interpolation, the averaging weights and the evaluation point. The base direction is
 * <pre>
 *   v ← β₂·v + (1−β₂)·g² ;  ĝ = g/(√(v/(1 − β₂^(k+1))) + ε) ;  ĝ ← ĝ + λ·y
 * </pre>
 * There is no first moment: β₁ is the interpolation β. Weight decay is added to the normalized gradient (not divided
 * by the denominator) and taken at y, as the official implementation does.
 *
 * <p>Defaults as the official code: lr 0.0025, betas (0.9, 0.999), ε 1e-8, no weight decay, no warmup, r = 0,
 * weightLrPower 2. Where the code differs from the paper: the paper's experiments (the official
 * {@code AdamWScheduleFreePaper}) use lr_t = lr·sched·√(1−β₂^(k+1)) — which also enters lr_max and hence the averaging
 * weights — with the denominator √v + ε; the default class, followed here, puts the bias correction inside the
 * denominator instead and leaves lr_t = lr·sched. The averaging weights (k+1)^r·lr_max^weightLrPower go beyond the
 * paper's c = 1/(t+1) as in {@link ScheduleFreeSgd}.
 */
public final class ScheduleFreeAdamW extends ScheduleFree {

    private final double beta2;
    private final double eps;

    /** Official defaults: lr 0.0025, betas (0.9, 0.999), eps 1e-8. */
    public ScheduleFreeAdamW() { this(0.0025, 0.9, 0.999, 1e-8, 0, 0, 0, 2); }

    public ScheduleFreeAdamW(double lr, double beta1, double beta2, double eps, double weightDecay, long warmupSteps, double r, double weightLrPower) {
        this("Schedule-Free AdamW", lr, beta1, beta2, eps, weightDecay, warmupSteps, r, weightLrPower, false);
    }

    private ScheduleFreeAdamW(String owner, double lr, double beta1, double beta2, double eps, double weightDecay, long warmupSteps, double r,
                              double weightLrPower, boolean reference) {
        super(owner, lr, beta1, weightDecay, warmupSteps, r, weightLrPower, reference);
        this.beta2 = Hyperparameters.unitInterval(owner, "beta2", beta2, "0.999");
        this.eps = Hyperparameters.nonNegative(owner, "eps", eps);
    }

    @Override void initDirection(OptimizerState state) { state.addTensor("exp_avg_sq"); }

    @Override INDArray direction(StepContext ctx, OptimizerState state, double k) {
        return adamDirection(ctx, state, k, beta2, eps, weightDecay);
    }

    @Override boolean fusedStep(StepContext ctx, OptimizerState state, double k, double c, double lrT) {
        return Kernels.scheduleFreeAdamW(ctx.gradient(), ctx.parameters(), state.tensor("z"), state.tensor("exp_avg_sq"),
                beta2, 1 - Math.pow(beta2, k + 1), eps, weightDecay, c, lrT * (beta * (1 - c) - 1), -lrT);
    }

    static INDArray adamDirection(StepContext ctx, OptimizerState state, double k, double beta2, double eps, double weightDecay) {
        INDArray g = ctx.gradient(), v = state.tensor("exp_avg_sq"), out = state.scratch("g"), denom = state.scratch("denom");
        double bc2 = 1 - Math.pow(beta2, k + 1);
        v.muli(beta2);                                              // v ← β₂·v + (1−β₂)·g²
        v.addi(out.assign(g).muli(g).muli(1 - beta2));
        Transforms.sqrt(denom.assign(v).divi(bc2), false).addi(eps);  // √(v/bc₂) + ε
        out.assign(g).divi(denom);                                 // ĝ = g/denom (the official code overwrites p.grad)
        if (weightDecay != 0) Vectors.axpy(weightDecay, ctx.parameters(), out);
        return out;
    }

    @Override void nameParts(List<String> parts) {
        if (beta2 != 0.999) parts.add("beta2=" + BaseOptimizer.fmt(beta2));
        if (eps != 1e-8) parts.add("eps=" + BaseOptimizer.fmt(eps));
    }

    @Override String label() { return "sf-adamw"; }
}
