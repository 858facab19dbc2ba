package org.tuneless.optim.tuner;

import java.util.Map;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.tensor.Workspaces;
import org.tuneless.optim.Hyperparameters;
import org.tuneless.optim.StepContext;
import org.tuneless.optim.UpdateDirection;
import org.tuneless.tensor.Vectors;

/**
 * Multiplicative hypergradient rule (seed 003 eq. 15): η_{t+1} = η_t·(1 − β·∇f(w_{t+1})ᵀu_t/(‖∇f(w_{t+1})‖‖u_t‖)).
 * The gradient at the new point is the next step's gradient, so no extra pass is needed: at step t the rule first
 * updates η from the previous direction, then steps. Diagnostics: {@code hypergradient.cosine}.
 */
public final class HypergradientStep extends StepSizeTuner {

    private final double beta;
    private double eta;
    private INDArray previousU;

    public HypergradientStep(UpdateDirection base, double initialLr, double beta) {
        super(base);
        this.eta = Hyperparameters.positive("hypergradient", "lr (initial η₀)", initialLr);
        this.beta = Hyperparameters.positive("hypergradient", "beta", beta);
    }

    @Override public String name() { return "hypergradient(" + baseName() + ", beta=" + beta + ")"; }

    @Override protected double stepSize(StepContext ctx, INDArray u, Map<String, Double> diag) {
        if (previousU != null) {
            double gn = Vectors.norm(ctx.gradient()), un = Vectors.norm(previousU);
            if (gn > 0 && un > 0) {
                double cos = Vectors.dot(ctx.gradient(), previousU) / (gn * un);
                eta *= 1 - beta * cos;
                diag.put("hypergradient.cosine", cos);
            }
        }
        return eta;
    }

    @Override protected void afterStep(StepContext ctx, INDArray u, double applied) {
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            if (previousU == null || previousU.length() != u.length()) previousU = u.dup();
            else previousU.assign(u);
        }
    }
}
