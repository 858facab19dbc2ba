package org.tuneless.curvature;

import org.tuneless.objective.Objective;

/**
 * One-line entry points: {@code Curvature.sharpness(f)}, {@code Curvature.topEigenvalues(f, 5)},
 * {@code Curvature.trace(f, 100, 0)}, {@code Curvature.density(f)}. Each evaluates the objective's Hessian at its
 * current parameters on its current batch.
 */
public final class Curvature {

    private Curvature() {}

    /** λmax by power iteration with the CDAT paper's defaults (tolerance 1e-3, ≤ 1000 HVPs, seed 0). */
    public static SharpnessEstimate sharpness(Objective f) { return PowerIteration.defaults().run(f); }

    /** The k largest eigenvalues (descending) by Lanczos with 3k + 20 steps. */
    public static double[] topEigenvalues(Objective f, int k) { return Lanczos.run(f, k, 3 * k + 20, 0, false).top(k); }

    /** The most negative eigenvalue by Lanczos with 40 steps. */
    public static double smallestEigenvalue(Objective f) { return Lanczos.run(f, 1, 40, 0, false).smallest(); }

    public static HutchinsonTrace.Estimate trace(Objective f, int probes, long seed) { return HutchinsonTrace.estimate(f, probes, seed); }

    /** Spectral density with 5 probes × 40 Lanczos steps on 400 grid points. */
    public static SpectralDensity density(Objective f) { return SpectralDensity.estimate(f, 5, 40, 400, 0, 0); }
}
