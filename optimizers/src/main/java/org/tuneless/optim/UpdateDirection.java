package org.tuneless.optim;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.tensor.ParameterLayout;

/**
 * A base optimizer seen as a source of update directions u_t (its update with learning rate 1), so that a
 * step-size tuner can choose η_t and apply w ← w + η_t·u_t (GD u = −g, momentum u = −m, Adam u = −m̂/(√v̂+ε)).
 * Its state is explicit, as an optimizer's: a tuner keeps it as its state's child {@code base}.
 */
public interface UpdateDirection {

    String name();

    /** A fresh state of the direction (see {@link Optimizer#init}). */
    OptimizerState init(ParameterLayout layout, DataType type);

    /** Writes u_t into {@code out} (same layout as the parameters) and advances {@code state}. */
    void direction(StepContext ctx, OptimizerState state, INDArray out);
}
