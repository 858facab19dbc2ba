package org.tuneless.optim;

import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.Vectors;

/**
 * A first-order optimizer that is also an {@link UpdateDirection}: it computes its unit-learning-rate update u_t and
 * steps w ← w + η_t·u_t with its own learning rate η_t. Step-size tuners reuse {@link #direction} and choose η_t.
 * Its state ({@link #init}) holds flat vectors in the parameters' layout; subclasses add their slots in
 * {@link #initState}.
 */
public abstract class BaseOptimizer implements Optimizer, UpdateDirection {

    /** The learning rate for step {@code step} (constant unless the optimizer decays it). */
    protected abstract double learningRate(long step);

    /** Adds this optimizer's slots and scalars to a fresh {@code state}. */
    protected abstract void initState(OptimizerState state);

    /** Diagnostics of the last direction computed from {@code state} (empty by default). */
    protected Map<String, Double> diagnostics(OptimizerState state) { return Map.of(); }

    @Override public final OptimizerState init(ParameterLayout layout, DataType type) {
        OptimizerState s = new OptimizerState(layout, type);
        initState(s);
        return s;
    }

    @Override public StepResult step(StepContext ctx, OptimizerState state) {
        INDArray w = ctx.parameters();
        INDArray update = state.scratch("update");
        direction(ctx, state, update);
        double lr = learningRate(ctx.step()) * ctx.lrFactor();  // × the schedule's factor (1: unchanged)
        Vectors.axpy(lr, update, w);
        return new StepResult(lr, diagnostics(state));
    }

    /** Base optimizers multiply their learning rate by {@link StepContext#lrFactor()}. */
    @Override public boolean followsSchedule() { return true; }

    @Override public String toString() { return name(); }

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

    /** Formats a hyperparameter for {@link #name()}: 0.001 → "0.001", 1e-4 → "0.0001", 1e-8 → "1e-08", 3.5e5 → "3.5e+05". */
    protected static String fmt(double v) {
        if (v != 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4)) {
            String s = String.format(java.util.Locale.ROOT, "%.3g", v);
            int e = s.indexOf('e');
            return e < 0 ? s.replaceAll("\\.?0+$", "") : s.substring(0, e).replaceAll("\\.?0+$", "") + s.substring(e);
        }
        return String.format(java.util.Locale.ROOT, "%.6g", v).replaceAll("\\.?0+$", "");
    }
}
