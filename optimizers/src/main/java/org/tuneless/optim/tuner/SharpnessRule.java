package org.tuneless.optim.tuner;

import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.curvature.HessianOperator;
import org.tuneless.curvature.PowerIteration;
import org.tuneless.curvature.SharpnessEstimate;
import org.tuneless.metrics.Metrics;
import org.tuneless.optim.Hyperparameters;
import org.tuneless.optim.OptimizerState;
import org.tuneless.optim.StepContext;
import org.tuneless.optim.UpdateDirection;

/**
 * Exact-sharpness rule (Roulet et al., arXiv 2407.06183, eq. 16; docs/methods.md §3.7): η_t = σ/λmax(∇²f(w_t)), λmax by power iteration on the current batch
 * (tolerance 1e-3, ≤ 1000 HVPs, warm-started from the previous eigenvector). A diagnostic more than a practical
 * tuner: it costs a power iteration per step. Diagnostics: {@code sharpness_rule.lambda_max},
 * {@code sharpness_rule.hvps} (named apart from the curvature tracker's {@code sharpness}).
 */
public final class SharpnessRule extends StepSizeTuner {

    private final double scale;
    private final PowerIteration power;

    public SharpnessRule(UpdateDirection base, double scale) {
        this(base, scale, PowerIteration.defaults());
    }

    public SharpnessRule(UpdateDirection base, double scale, PowerIteration power) {
        super(base);
        this.scale = Hyperparameters.positive("sharpness rule", "scale σ", scale);
        this.power = power;
    }

    @Override public String name() { return "sharpness-rule(" + baseName() + ", scale=" + scale + ")"; }

    /** State: the last eigenvector {@code eigenvector} (the warm start) and step count {@code t} (0 = start at random). */
    @Override protected void initState(OptimizerState state) {
        state.addTensor("eigenvector");
        state.setScalar("t", 0);
    }

    @Override protected double stepSize(StepContext ctx, OptimizerState state, INDArray u, Map<String, Double> diag) {
        INDArray eigenvector = state.tensor("eigenvector");
        SharpnessEstimate s;
        try (HessianOperator h = HessianOperator.fixed(ctx.objective())) {
            s = power.run(h, state.scalar("t") > 0 ? eigenvector : null);
        }
        eigenvector.assign(s.eigenvector());
        state.setScalar("t", state.scalar("t") + 1);
        diag.put(Metrics.SHARPNESS_RULE_LAMBDA, s.eigenvalue());
        diag.put(Metrics.SHARPNESS_RULE_HVPS, (double) s.hvps());
        return s.eigenvalue() > 0 ? scale / s.eigenvalue() : 0.0;
    }
}
