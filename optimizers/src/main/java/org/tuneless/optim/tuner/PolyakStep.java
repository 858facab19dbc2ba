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
 * Polyak step size (Roulet et al., arXiv 2407.06183, eq. 14; docs/methods.md §3.5): η_t = min((f(w_t) − f*)/‖∇f(w_t)‖², η_max), applied to the base direction.
 * f* = 0 assumes interpolation; the paper tried η_max ∈ {1, 100}. The denominator is the gradient norm even for a
 * preconditioned direction, as the paper states it. Diagnostics: {@code polyak.gap}.
 */
public final class PolyakStep extends StepSizeTuner {

    private final double fStar;
    private final double lrMax;

    public PolyakStep(UpdateDirection base) { this(base, 0, 1); }

    public PolyakStep(UpdateDirection base, double fStar, double lrMax) {
        super(base);
        if (!Double.isFinite(fStar)) throw new IllegalArgumentException("Polyak: f-star = " + fStar + " must be finite");
        this.fStar = fStar;
        this.lrMax = Hyperparameters.positive("Polyak", "lr-max", lrMax);
    }

    @Override public String name() { return "polyak(" + baseName() + ", f*=" + fStar + ", lr-max=" + lrMax + ")"; }

    @Override protected double stepSize(StepContext ctx, OptimizerState state, INDArray u, Map<String, Double> diag) {
        double gap = ctx.loss() - fStar;
        double g2 = Vectors.dot(ctx.gradient(), ctx.gradient());
        diag.put(Metrics.POLYAK_GAP, gap);
        if (g2 == 0 || gap <= 0) return 0.0;
        return Math.min(gap / g2, lrMax);
    }
}
