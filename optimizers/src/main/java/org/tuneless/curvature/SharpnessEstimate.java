package org.tuneless.curvature;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The result of a power iteration: the signed Rayleigh quotient λ of the largest-magnitude eigenvalue, its unit
 * eigenvector, how many operator applications (HVPs) it took and whether it met the tolerance.
 */
public record SharpnessEstimate(double eigenvalue, INDArray eigenvector, long hvps, boolean converged) {}
