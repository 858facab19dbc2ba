package org.tuneless.curvature;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An optimizer whose update is −P⁻¹·(something) with a diagonal preconditioner P; the curvature package uses P to
 * measure the preconditioned sharpness λmax(P^{-1/2} H P^{-1/2}) (seed 003 App. B.1; Cohen et al. 2022).
 */
public interface Preconditioned {

    /** The current diagonal of P, in the parameter layout (a copy; null before the first step). */
    INDArray preconditionerDiagonal();
}
