package org.tuneless.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Schedule-Free SGD in its readable form (arXiv 2405.15682, Algorithm 1; the official
 * {@code schedulefree.SGDScheduleFreeReference}): x, y and z are stored explicitly,
 * z ← z − lr·ĝ, x ← (1−c)·x + c·z, y ← β·x + (1−β)·z, and the parameters are set to y. Same hyperparameters, defaults
 * and numbers (up to rounding) as {@link ScheduleFreeSgd}; the point to evaluate at is the stored x. For tests and
 * reading; it costs two more vectors of state than the fast form.
 */
public final class ScheduleFreeSgdReference extends ScheduleFree {

    public ScheduleFreeSgdReference() { this(1.0, 0.9, 0, 0, 0, 2); }

    public ScheduleFreeSgdReference(double lr, double momentum, double weightDecay, long warmupSteps, double r, double weightLrPower) {
        super("Schedule-Free SGD (reference)", lr, momentum, weightDecay, warmupSteps, r, weightLrPower, true);
    }

    @Override void initDirection(OptimizerState state) {}

    @Override INDArray direction(StepContext ctx, OptimizerState state, double k) {
        return ScheduleFreeSgd.sgdDirection(ctx, state, weightDecay);
    }

    @Override String label() { return "sf-sgd"; }
}
