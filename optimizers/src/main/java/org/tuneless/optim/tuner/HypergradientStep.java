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
 * Multiplicative hypergradient rule (Roulet et al., arXiv 2407.06183, eq. 15; docs/methods.md §3.6): η_{t+1} = η_t·(1 − β·∇f(w_{t+1})ᵀu_t/(‖∇f(w_{t+1})‖‖u_t‖)).
 * The gradient at the new point is the next step's gradient, so no extra pass is needed: at step t the rule first
 * updates η from the previous direction, then steps. Diagnostics: {@code hypergradient.cosine}.
 */
public final class HypergradientStep extends StepSizeTuner {

    private final double initialLr;
    private final double beta;

    public HypergradientStep(UpdateDirection base, double initialLr, double beta) {
        super(base);
        this.initialLr = Hyperparameters.positive("hypergradient", "lr (initial η₀)", initialLr);
        this.beta = Hyperparameters.positive("hypergradient", "beta", beta);
    }

    @Override public String name() { return "hypergradient(" + baseName() + ", beta=" + beta + ")"; }

    /** State: the current step {@code eta} (starts at the initial lr), the previous direction {@code u_prev}, step count {@code t}. */
    @Override protected void initState(OptimizerState state) {
        state.setScalar("eta", initialLr);
        state.addTensor("u_prev");
        state.setScalar("t", 0);
    }

    @Override protected double stepSize(StepContext ctx, OptimizerState state, INDArray u, Map<String, Double> diag) {
        double eta = state.scalar("eta");
        if (state.scalar("t") > 0) {
            INDArray previousU = state.tensor("u_prev");
            double gn = Vectors.norm(ctx.gradient()), un = Vectors.norm(previousU);
            if (gn > 0 && un > 0) {
                double cos = Vectors.dot(ctx.gradient(), previousU) / (gn * un);
                eta *= 1 - beta * cos;
                diag.put(Metrics.HYPERGRADIENT_COSINE, cos);
            }
        }
        state.setScalar("eta", eta);
        return eta;
    }

    @Override protected void afterStep(StepContext ctx, OptimizerState state, INDArray u, double applied) {
        state.tensor("u_prev").assign(u);
        state.setScalar("t", state.scalar("t") + 1);
    }
}
