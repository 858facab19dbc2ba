package org.tuneless.curvature;

import java.util.ArrayList;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import java.util.SplittableRandom;
import org.tuneless.objective.Objective;

/**
 * Eigenvalue density of a Hessian by stochastic Lanczos quadrature (Ghorbani et al. 2019; Lin et al. 2016): for each
 * of p Rademacher probes, m Lanczos steps give Gauss quadrature nodes θⱼ and weights τⱼ² (Σⱼ τⱼ² = 1); the density is
 * ρ(λ) = (1/p) Σ_probes Σⱼ τⱼ² · N(λ; θⱼ, σ²). It integrates to 1 and its mean estimates tr(H)/n.
 *
 * @param grid     points where the smoothed density is evaluated
 * @param density  ρ at the grid points
 * @param nodes    quadrature nodes, one array per probe
 * @param weights  quadrature weights, one array per probe (each sums to 1)
 */
public record SpectralDensity(double[] grid, double[] density, List<double[]> nodes, List<double[]> weights, long hvps) {

    /** p probes, m Lanczos steps each, density on {@code points} grid points with Gaussian smoothing σ (relative to the spectrum's width when ≤ 0: 1%). */
    public static SpectralDensity estimate(Objective objective, int probes, int steps, int points, double sigma, long seed) {
        try (HessianOperator h = HessianOperator.fixed(objective)) {
            return estimate(h, probes, steps, points, sigma, seed);
        }
    }

    public static SpectralDensity estimate(LinearOperator op, int probes, int steps, int points, double sigma, long seed) {
        if (probes < 1 || steps < 1 || points < 2) {
            throw new IllegalArgumentException("spectral density: probes (" + probes + ") and steps (" + steps + ") must be ≥ 1, points (" + points + ") ≥ 2");
        }
        long before = op.applications();
        SplittableRandom rng = RandomVectors.generator(seed);
        List<double[]> nodes = new ArrayList<>(), weights = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        int m = (int) Math.min(steps, op.dimension());
        for (int p = 0; p < probes; p++) {
            INDArray z = RandomVectors.rademacher(rng, op.dataType(), op.dimension());
            double[][] nw = Lanczos.iterate(op, z, m, new ArrayList<>()).nodesAndWeights();
            nodes.add(nw[0]);
            weights.add(nw[1]);
            lo = Math.min(lo, nw[0][0]);
            hi = Math.max(hi, nw[0][nw[0].length - 1]);
        }
        double width = Math.max(hi - lo, 1e-12 * Math.max(1, Math.abs(hi)));
        double s = sigma > 0 ? sigma : 0.01 * width;
        double[] grid = new double[points], density = new double[points];
        double from = lo - 3 * s, to = hi + 3 * s;
        for (int i = 0; i < points; i++) grid[i] = from + (to - from) * i / (points - 1);
        double norm = 1.0 / (probes * s * Math.sqrt(2 * Math.PI));
        for (int p = 0; p < probes; p++) {
            double[] th = nodes.get(p), w = weights.get(p);
            for (int j = 0; j < th.length; j++) {
                for (int i = 0; i < points; i++) {
                    double d = (grid[i] - th[j]) / s;
                    density[i] += norm * w[j] * Math.exp(-0.5 * d * d);
                }
            }
        }
        return new SpectralDensity(grid, density, nodes, weights, op.applications() - before);
    }

    /** ∫ λᵏ dρ from the quadrature (no smoothing): k = 0 gives 1, k = 1 estimates tr(H)/n, k = 2 estimates tr(H²)/n. */
    public double moment(int k) {
        double total = 0;
        for (int p = 0; p < nodes.size(); p++) {
            double[] th = nodes.get(p), w = weights.get(p);
            for (int j = 0; j < th.length; j++) total += w[j] * Math.pow(th[j], k);
        }
        return total / nodes.size();
    }
}
