package org.tuneless.optim;

import java.util.Map;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Workspaces;
import org.tuneless.tensor.Vectors;

/**
 * A first-order optimizer that is also an {@link UpdateDirection}: it computes its unit-learning-rate update u_t and
 * steps w ← w + η_t·u_t with its own learning rate η_t. Step-size tuners reuse {@link #direction} and choose η_t.
 * State lives in flat vectors with the parameters' layout, allocated on the first step outside any workspace.
 */
public abstract class BaseOptimizer implements Optimizer, UpdateDirection {

    private INDArray update;

    /** The learning rate for step {@code step} (constant unless the optimizer decays it). */
    protected abstract double learningRate(long step);

    /** Clears all state, as if newly constructed. */
    public abstract void reset();

    /** Diagnostics of the last direction computed (empty by default). */
    protected Map<String, Double> diagnostics() { return Map.of(); }

    @Override public StepResult step(StepContext ctx) {
        INDArray w = ctx.parameters();
        if (update == null || update.length() != w.length() || update.dataType() != w.dataType()) update = zerosLike(w);
        direction(ctx, update);
        double lr = learningRate(ctx.step());
        Vectors.axpy(lr, update, w);
        return new StepResult(lr, lr * Vectors.norm(update), diagnostics());
    }

    @Override public String toString() { return name(); }

    /** A zero vector like {@code w}, allocated outside any workspace (for persistent state). */
    protected static INDArray zerosLike(INDArray w) {
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            return Nd4j.zeros(w.dataType(), w.length());
        }
    }

    /**
     * g + λ·w (coupled L2 weight decay, as torch.optim's {@code weight_decay}): the gradient itself when λ = 0,
     * otherwise written into {@code out}. The result must not be modified.
     */
    protected static INDArray decayedGradient(StepContext ctx, double weightDecay, INDArray out) {
        if (weightDecay == 0) return ctx.gradient();
        out.assign(ctx.gradient());
        if (weightDecay != 0) Vectors.axpy(weightDecay, ctx.parameters(), out);
        return out;
    }

    /** Formats a hyperparameter for {@link #name()}: 0.001 → "0.001", 1e-8 → "1e-08". */
    protected static String fmt(double v) {
        return (v != 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4)) ? String.format("%.3g", v) : String.format("%.6g", v).replaceAll("\\.?0+$", "");
    }
}
