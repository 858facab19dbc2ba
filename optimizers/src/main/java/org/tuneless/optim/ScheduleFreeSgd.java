package org.tuneless.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Schedule-Free SGD (Defazio et al., arXiv 2405.15682, Algorithm 1 with the SGD base; the official
 * {@code schedulefree.SGDScheduleFree} 1.4.1), fast form: the live parameters hold y, the state holds z, and x (the
 * point to evaluate at) is recovered from them — see {@link ScheduleFree} for the update and the evaluation point.
 * ĝ = g + λ·y: weight decay is coupled and taken at y, as the official implementation does.
 *
 * <p>Defaults as the official code: lr 1.0, β (momentum) 0.9 (strictly between 0 and 1), no weight decay, no warmup,
 * r = 0, weightLrPower 2. Where the code differs from the paper: the paper's averaging weights are c_{t+1} = 1/(t+1);
 * the code weights step k by (k+1)^r·lr_max^weightLrPower (arXiv 2405.15682, its discussion of warmup), so that warmup steps with a
 * small lr count less — equal to the paper without warmup and with r = 0. The default lr of 1.0 is far above the
 * stability limit of stiff problems (it diverges on the quadratic with h = 100; docs/methods.md §9.7).
 */
public final class ScheduleFreeSgd extends ScheduleFree {

    /** Official defaults: lr 1.0, momentum 0.9. */
    public ScheduleFreeSgd() { this(1.0, 0.9, 0, 0, 0, 2); }

    public ScheduleFreeSgd(double lr, double momentum, double weightDecay, long warmupSteps, double r, double weightLrPower) {
        super("Schedule-Free SGD", lr, momentum, weightDecay, warmupSteps, r, weightLrPower, false);
    }

    @Override void initDirection(OptimizerState state) {}

    @Override INDArray direction(StepContext ctx, OptimizerState state, double k) {
        return sgdDirection(ctx, state, weightDecay);
    }

    static INDArray sgdDirection(StepContext ctx, OptimizerState state, double weightDecay) {
        return BaseOptimizer.decayedGradient(ctx, weightDecay, state.scratch("g"));
    }

    @Override String label() { return "sf-sgd"; }
}
