package org.tuneless.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A capability ({@link Optimizer#capability}) of optimizers whose point for evaluation differs from the point where
 * gradients are taken: an iterate average ({@link Averaged}) evaluates at x̄. Evaluations, checkpoints of "the model"
 * and test accuracy should use {@link #evaluationPoint}; the training loss of the step stays the loss at the live
 * parameters. Optimizers without the capability are evaluated at their live parameters.
 */
@FunctionalInterface
public interface EvaluationPoint {

    /** The point to evaluate at, a flat vector in the parameter layout (a live view of the state: do not modify). */
    INDArray evaluationPoint(OptimizerState state);
}
