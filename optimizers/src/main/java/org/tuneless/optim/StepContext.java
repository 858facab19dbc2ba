package org.tuneless.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.objective.Objective;

/**
 * Everything an optimizer may use for one step. The gradient and loss are already evaluated at the current
 * parameters on the current batch; {@link #objective()} can evaluate more (loss at trial points, HVPs, uᵀHu)
 * on that same batch. {@link #layout()} names the parameter tensors (AGD needs their shapes, per-tensor
 * state is keyed by name).
 *
 * <p>{@code lrFactor} multiplies the learning rate of optimizers that follow a schedule
 * ({@link Optimizer#followsSchedule()}): the lr of a base optimizer, d·lr of Prodigy and D-Adaptation. It is 1 unless a
 * {@link Scheduled} wrapper sets it; multiplying by 1 leaves every number bit for bit as it was.
 */
public record StepContext(long step, Objective objective, INDArray gradient, double loss, ParameterLayout layout, double lrFactor) {

    public StepContext {
        if (!(lrFactor >= 0) || !Double.isFinite(lrFactor)) {
            throw new IllegalArgumentException("learning-rate factor = " + lrFactor + " must be ≥ 0 and finite");
        }
    }

    /** A context with learning-rate factor 1 (no schedule). */
    public StepContext(long step, Objective objective, INDArray gradient, double loss, ParameterLayout layout) {
        this(step, objective, gradient, loss, layout, 1.0);
    }

    /** The live flat parameter vector; optimizers update it in place. */
    public INDArray parameters() { return objective.parameters(); }

    /** This context with learning-rate factor {@code factor}. */
    public StepContext withLrFactor(double factor) { return new StepContext(step, objective, gradient, loss, layout, factor); }

    /** This context with another gradient and loss (SAM: the gradient at the perturbed point). */
    public StepContext withGradient(INDArray g, double newLoss) { return new StepContext(step, objective, g, newLoss, layout, lrFactor); }
}
