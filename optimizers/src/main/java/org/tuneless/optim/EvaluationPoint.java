package org.tuneless.optim;

import java.util.function.BiFunction;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A capability ({@link Optimizer#capability}) of optimizers whose point for evaluation differs from the point where
 * gradients are taken: an iterate average ({@link Averaged}) evaluates at x̄, Schedule-Free ({@link ScheduleFreeSgd},
 * {@link ScheduleFreeAdamW}) at x, recovered from the live y and the state's z. Evaluations, checkpoints of "the model"
 * and test accuracy should use {@link #evaluationPoint}; the training loss of the step, and curvature measurements,
 * stay at the live parameters where the gradient is taken. Optimizers without the capability are evaluated at their
 * live parameters. The trainer evaluates there through {@code Objective.withParameters}, which restores the live
 * parameters exactly.
 */
public interface EvaluationPoint {

    /**
     * The point to evaluate at, a flat vector in the parameter layout, given the live parameters: a live view of the
     * state or a scratch vector of it, valid until the next step or the next call — do not modify.
     */
    INDArray evaluationPoint(OptimizerState state, INDArray parameters);

    /** What the point is, as evaluation records and run.json name it: "polynomial average", "x (schedule-free average)". */
    String description();

    /** A capability from a description and a function (state, live parameters) → point. */
    static EvaluationPoint of(String description, BiFunction<OptimizerState, INDArray, INDArray> point) {
        return new EvaluationPoint() {
            @Override public INDArray evaluationPoint(OptimizerState state, INDArray parameters) { return point.apply(state, parameters); }

            @Override public String description() { return description; }
        };
    }
}
