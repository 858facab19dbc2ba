package org.tuneless.curvature;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A diagonal preconditioner P: an optimizer whose update is −P⁻¹·(something) offers it (bound to its current state)
 * as a capability, and the curvature package uses P to measure the preconditioned sharpness λmax(P^{-1/2} H P^{-1/2})
 * (Cohen et al. 2022, arXiv 2207.14484, §3).
 */
@FunctionalInterface
public interface Preconditioned {

    /** The current diagonal of P, in the parameter layout (a copy). */
    INDArray preconditionerDiagonal();
}
