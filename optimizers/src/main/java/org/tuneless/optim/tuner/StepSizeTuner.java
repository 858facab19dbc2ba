package org.tuneless.optim.tuner;

import java.util.LinkedHashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.optim.Optimizer;
import org.tuneless.optim.OptimizerState;
import org.tuneless.optim.StepContext;
import org.tuneless.optim.StepResult;
import org.tuneless.optim.UpdateDirection;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.Vectors;

/**
 * A learning-rate tuner wrapping any base direction (Roulet et al., arXiv 2407.06183, §2.1 and App. C.3; docs/methods.md §3.1): the base gives u_t (its update with lr 1: −g for GD,
 * −m for momentum, −m̂/(√v̂+ε) for Adam), the tuner chooses η_t, and w ← w + η_t·u_t. The tuner's state holds the base's
 * state as child {@code base}.
 */
public abstract class StepSizeTuner implements Optimizer {

    /** The name of the base direction's state inside a tuner's state. */
    public static final String BASE = "base";

    protected final UpdateDirection base;

    protected StepSizeTuner(UpdateDirection base) {
        if (base == null) throw new IllegalArgumentException("a step-size tuner needs a base direction (gd, momentum, nesterov, rmsprop, adam)");
        this.base = base;
    }

    public UpdateDirection base() { return base; }

    /** The tuner's state: the base direction's state as child {@link #BASE}, plus the tuner's own ({@link #initState}). */
    @Override public final OptimizerState init(ParameterLayout layout, DataType type) {
        OptimizerState s = new OptimizerState(layout, type);
        s.addChild(BASE, base.init(layout, type));
        initState(s);
        return s;
    }

    /** Adds the tuner's own slots and scalars to a fresh {@code state} (none by default). */
    protected void initState(OptimizerState state) {}

    /** Chooses η_t for direction u at the current point; may put diagnostics into {@code diagnostics}. */
    protected abstract double stepSize(StepContext ctx, OptimizerState state, INDArray u, Map<String, Double> diagnostics);

    /** Called after the step was applied (hypergradient keeps u). */
    protected void afterStep(StepContext ctx, OptimizerState state, INDArray u, double eta) {}

    @Override public StepResult step(StepContext ctx, OptimizerState state) {
        INDArray w = ctx.parameters();
        INDArray u = state.scratch("u");
        base.direction(ctx, state.child(BASE), u);
        Map<String, Double> diag = new LinkedHashMap<>();
        double eta = stepSize(ctx, state, u, diag);
        if (eta != 0) Vectors.axpy(eta, u, w);
        afterStep(ctx, state, u, eta);
        return new StepResult(eta, diag);
    }

    protected String baseName() { return base.name(); }
}
