package org.tuneless.optim.tuner;

import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.metrics.Metrics;
import org.tuneless.optim.Hyperparameters;
import org.tuneless.optim.OptimizerState;
import org.tuneless.optim.StepContext;
import org.tuneless.optim.UpdateDirection;
import org.tuneless.tensor.Vectors;

/**
 * Curvature Dynamics Aware Tuning (Roulet et al., arXiv 2407.06183, eq. 8): η_t = σ·n_t/d_t with
 * n_t = max(−∇f(w_t)ᵀu_t, 0) and d_t = |u_tᵀ∇²f(w_t)u_t| + ε, optionally smoothed by zero-initialized EMAs
 * ñ ← (1−β)n + βñ, d̃ ← (1−β)d + βd̃ (no bias correction is needed: both carry the same factor). uᵀHu is exact
 * ({@code Objective.curvatureAlong}, a second-order forward tangent), not a finite difference. σ = 1 is the
 * quadratically greedy rule, σ = 2 the "on edge" rule (eq. 7). An ascent direction or zero curvature gives η = 0.
 * Diagnostics: {@code cdat.n}, {@code cdat.d}, {@code cdat.n_ema}, {@code cdat.d_ema}, {@code cdat.curvature_fresh}.
 */
public final class Cdat extends StepSizeTuner {

    private final double scale;
    private final double ema;
    private final double eps;
    private final int refreshEvery;

    public Cdat(UpdateDirection base, double scale) { this(base, scale, 0, 0, 1); }

    /**
     * @param scale        σ (> 0; 2 = on edge, 1 = greedy; the paper's best full-batch value was 2.0625)
     * @param ema          β ∈ [0, 1) (0 = no smoothing; the paper used 0.9 or 0.99 with Adam and in minibatch)
     * @param eps          ε ≥ 0 added to |uᵀHu| (the paper uses 0)
     * @param refreshEvery compute uᵀHu every k steps and reuse it in between (1 = every step)
     */
    public Cdat(UpdateDirection base, double scale, double ema, double eps, int refreshEvery) {
        super(base);
        this.scale = Hyperparameters.positive("CDAT", "scale σ", scale);
        this.ema = Hyperparameters.unitInterval("CDAT", "ema β", ema, "0, 0.9 or 0.99");
        this.eps = Hyperparameters.nonNegative("CDAT", "eps", eps);
        if (refreshEvery < 1) throw new IllegalArgumentException("CDAT: every = " + refreshEvery + " must be ≥ 1");
        this.refreshEvery = refreshEvery;
    }

    /** The quadratically greedy rule η = −gᵀu/(uᵀHu): CDAT with σ = 1 (Roulet et al., arXiv 2407.06183, eq. 3; docs/methods.md §3.3). */
    public static Cdat greedy(UpdateDirection base) { return new Cdat(base, 1.0); }

    @Override public String name() {
        if (scale == 1 && ema == 0) return "greedy(" + baseName() + ")";
        return "cdat(" + baseName() + ", scale=" + scale + (ema != 0 ? ", ema=" + ema : "") + (refreshEvery > 1 ? ", every=" + refreshEvery : "") + ")";
    }

    /** State: the EMAs {@code n_ema}, {@code d_ema} (zero-initialized) and the last uᵀHu term {@code d_last} (NaN at first). */
    @Override protected void initState(OptimizerState state) {
        state.setScalar("n_ema", 0);
        state.setScalar("d_ema", 0);
        state.setScalar("d_last", Double.NaN);
    }

    @Override protected double stepSize(StepContext ctx, OptimizerState state, INDArray u, Map<String, Double> diag) {
        double n = Math.max(-Vectors.dot(ctx.gradient(), u), 0);
        double lastD = state.scalar("d_last");
        boolean fresh = Double.isNaN(lastD) || ctx.step() % refreshEvery == 0;
        double d = fresh ? Math.abs(ctx.objective().curvatureAlong(u)) + eps : lastD;
        double nEma = (1 - ema) * n + ema * state.scalar("n_ema");
        double dEma = (1 - ema) * d + ema * state.scalar("d_ema");
        state.setScalar("d_last", d).setScalar("n_ema", nEma).setScalar("d_ema", dEma);
        diag.put(Metrics.CDAT_N, n);
        diag.put(Metrics.CDAT_D, d);
        if (ema != 0) {
            diag.put(Metrics.CDAT_N_EMA, nEma);
            diag.put(Metrics.CDAT_D_EMA, dEma);
        }
        diag.put(Metrics.CDAT_CURVATURE_FRESH, fresh ? 1.0 : 0.0);
        return dEma > 0 ? scale * nEma / dEma : 0.0;
    }
}
