package org.tuneless.optim.tuner;

import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.curvature.HessianOperator;
import org.tuneless.curvature.PowerIteration;
import org.tuneless.curvature.SharpnessEstimate;
import org.tuneless.optim.Hyperparameters;
import org.tuneless.optim.StepContext;
import org.tuneless.optim.UpdateDirection;

/**
 * Exact-sharpness rule (seed 003 eq. 16): η_t = σ/λmax(∇²f(w_t)), λmax by power iteration on the current batch
 * (tolerance 1e-3, ≤ 1000 HVPs, warm-started from the previous eigenvector). A diagnostic more than a practical
 * tuner: it costs a power iteration per step. Diagnostics: {@code sharpness}, {@code sharpness_hvps}.
 */
public final class SharpnessRule extends StepSizeTuner {

    private final double scale;
    private final PowerIteration power;
    private INDArray eigenvector;

    public SharpnessRule(UpdateDirection base, double scale) {
        this(base, scale, PowerIteration.defaults());
    }

    public SharpnessRule(UpdateDirection base, double scale, PowerIteration power) {
        super(base);
        this.scale = Hyperparameters.positive("sharpness rule", "scale σ", scale);
        this.power = power;
    }

    @Override public String name() { return "sharpness-rule(" + baseName() + ", scale=" + scale + ")"; }

    @Override protected double stepSize(StepContext ctx, INDArray u, Map<String, Double> diag) {
        SharpnessEstimate s = power.run(HessianOperator.of(ctx.objective()), eigenvector);
        eigenvector = s.eigenvector();
        diag.put("sharpness", s.eigenvalue());
        diag.put("sharpness_hvps", (double) s.hvps());
        return s.eigenvalue() > 0 ? scale / s.eigenvalue() : 0.0;
    }
}
