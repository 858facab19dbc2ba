package org.tuneless.optim.tuner;

import java.util.LinkedHashMap;
import java.util.Map;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Workspaces;
import org.tuneless.optim.Optimizer;
import org.tuneless.optim.StepContext;
import org.tuneless.optim.StepResult;
import org.tuneless.optim.UpdateDirection;
import org.tuneless.tensor.Vectors;

/**
 * A learning-rate tuner wrapping any base direction (seed 003 §2): the base gives u_t (its update with lr 1: −g for GD,
 * −m for momentum, −m̂/(√v̂+ε) for Adam), the tuner chooses η_t, and w ← w + η_t·u_t. The tuner owns its own state;
 * the base keeps its own.
 */
public abstract class StepSizeTuner implements Optimizer {

    protected final UpdateDirection base;
    private INDArray u;

    protected StepSizeTuner(UpdateDirection base) {
        if (base == null) throw new IllegalArgumentException("a step-size tuner needs a base direction (gd, momentum, nesterov, rmsprop, adam)");
        this.base = base;
    }

    public UpdateDirection base() { return base; }

    /** Chooses η_t for direction u at the current point; may put diagnostics into {@code diagnostics}. */
    protected abstract double stepSize(StepContext ctx, INDArray u, Map<String, Double> diagnostics);

    /** Called after the step was applied (hypergradient keeps u). */
    protected void afterStep(StepContext ctx, INDArray u, double eta) {}

    @Override public StepResult step(StepContext ctx) {
        INDArray w = ctx.parameters();
        if (u == null || u.length() != w.length()) {
            try (MemoryWorkspace ignored = Workspaces.detached()) {
                u = Nd4j.zeros(w.dataType(), w.length());
            }
        }
        base.direction(ctx, u);
        Map<String, Double> diag = new LinkedHashMap<>();
        double eta = stepSize(ctx, u, diag);
        if (eta != 0) Vectors.axpy(eta, u, w);
        afterStep(ctx, u, eta);
        return new StepResult(eta, Math.abs(eta) * Vectors.norm(u), diag);
    }

    protected String baseName() { return base.name(); }
}
