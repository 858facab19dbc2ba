package org.tuneless.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A base optimizer seen as a source of update directions u_t (its update with learning rate 1), so that a
 * step-size tuner can choose η_t and apply w ← w + η_t·u_t (seed 003, §2: GD u = −g, momentum u = −m, Adam u = −m̂/(√v̂+ε)).
 */
public interface UpdateDirection {

    String name();

    /** Writes u_t into {@code out} (same layout as the parameters) and advances the direction's own state. */
    void direction(StepContext ctx, INDArray out);
}
