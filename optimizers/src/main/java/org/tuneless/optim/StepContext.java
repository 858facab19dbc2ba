package org.tuneless.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.objective.Objective;

/**
 * Everything an optimizer may use for one step. The gradient and loss are already evaluated at the current
 * parameters on the current batch; {@link #objective()} can evaluate more (loss at trial points, HVPs, uᵀHu)
 * on that same batch. {@link #layout()} names the parameter tensors (AGD needs their shapes, per-tensor
 * state is keyed by name).
 */
public record StepContext(long step, Objective objective, INDArray gradient, double loss, ParameterLayout layout) {

    /** The live flat parameter vector; optimizers update it in place. */
    public INDArray parameters() { return objective.parameters(); }
}
