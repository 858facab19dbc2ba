package org.tuneless.optim.theory;

import java.util.function.DoubleUnaryOperator;

/**
 * The simplified dynamical models of Roulet et al. (arXiv 2407.06183, §2.3 and §3.2; docs/methods.md §4): the projection x on the top Hessian
 * eigenvector and the sharpness λ evolve as x_{t+1} = (1 − η_tλ_t)x_t, λ_{t+1} = η_t(a − b·x_t²) + λ_t (eq. 4, after
 * Damian et al. 2022), with p = x² and y = ηλ − 2 (eq. 5). The learning rate is either a rule of λ alone — constant,
 * or the line-search model η_t = 2(1 − ε)/λ_t (eq. 6) — or CDAT's rule (eq. 10), which also tracks the gradient
 * component g along a second eigendirection with a small fixed eigenvalue ν:
 * η_t = σ(λ_t²p_t + ν²g_t)/(λ_t³p_t + ν³g_t), g_{t+1} = (1 − η_tν)²g_t.
 */
public final class EdgeOfStabilityModel {

    /** One trajectory: η, λ, y = ηλ − 2, p = x² and g (NaN when the model has no g) for t = 0..T−1. */
    public record Trajectory(double[] eta, double[] lambda, double[] y, double[] p, double[] g) {

        public int length() { return eta.length; }

        /** Mean of {@code series} over steps [from, to). */
        public static double mean(double[] series, int from, int to) {
            double s = 0;
            for (int i = from; i < to; i++) s += series[i];
            return s / (to - from);
        }
    }

    private EdgeOfStabilityModel() {}

    /** Eq. 4 with η_t = rule(λ_t): a constant rule gives the EoS oscillation; {@link #lineSearchRule} gives eq. 6. */
    public static Trajectory simulate(double a, double b, double lambda0, double x0, DoubleUnaryOperator rule, int steps) {
        double[] eta = new double[steps], lambda = new double[steps], y = new double[steps], p = new double[steps], g = new double[steps];
        double x = x0, lam = lambda0;
        for (int t = 0; t < steps; t++) {
            double e = rule.applyAsDouble(lam);
            eta[t] = e;
            lambda[t] = lam;
            y[t] = e * lam - 2;
            p[t] = x * x;
            g[t] = Double.NaN;
            double nextX = (1 - e * lam) * x;
            lam = e * (a - b * x * x) + lam;
            x = nextX;
        }
        return new Trajectory(eta, lambda, y, p, g);
    }

    /** The constant learning rate η. */
    public static DoubleUnaryOperator constant(double eta) { return lambda -> eta; }

    /** Eq. 6: η_t = 2(1 − ε)/λ_t, i.e. y fixed at −2ε (a line search that stays just below the edge). */
    public static DoubleUnaryOperator lineSearchRule(double epsilon) { return lambda -> 2 * (1 - epsilon) / lambda; }

    /**
     * Eq. 10 with eq. 5: CDAT with scale σ. The first step uses η₀; later steps use the CDAT rule. App. C.5 (Fig. 9):
     * a = 5e-2, b = 1e-1, ν = 0.1, λ₀ = 18, η₀ = 0.05, g₀ = p₀ = 4.
     */
    public static Trajectory simulateCdat(double a, double b, double nu, double sigma, double lambda0, double eta0, double p0, double g0, int steps) {
        double[] eta = new double[steps], lambda = new double[steps], y = new double[steps], p = new double[steps], g = new double[steps];
        double lam = lambda0, pp = p0, gg = g0;
        for (int t = 0; t < steps; t++) {
            double e = t == 0 ? eta0 : sigma * (lam * lam * pp + nu * nu * gg) / (lam * lam * lam * pp + nu * nu * nu * gg);
            eta[t] = e;
            lambda[t] = lam;
            y[t] = e * lam - 2;
            p[t] = pp;
            g[t] = gg;
            double nextP = (1 + y[t]) * (1 + y[t]) * pp;
            double nextG = (1 - e * nu) * (1 - e * nu) * gg;
            lam = e * (a - b * pp) + lam;
            pp = nextP;
            gg = nextG;
        }
        return new Trajectory(eta, lambda, y, p, g);
    }
}
