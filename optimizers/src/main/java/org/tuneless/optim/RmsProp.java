package org.tuneless.optim;

import java.util.Optional;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.curvature.Preconditioned;
import org.tuneless.tensor.Vectors;

/**
 * RMSProp with torch.optim.RMSprop semantics (Hinton's lecture 6e; torch docs): d = g + λw; v = α·v + (1−α)·d²;
 * P = √v + ε (centered: √(v − ḡ²) + ε with ḡ = α·ḡ + (1−α)·d); u = −d/P, or with momentum μ: b = μ·b + d/P, u = −b.
 * Defaults lr 0.01, α 0.99, ε 1e-8. The CDAT paper's optax RMSProp is α = 0.999, ε = 1e-8 with ε outside the root,
 * which is this class with {@code alpha = 0.999}.
 */
public class RmsProp extends BaseOptimizer {

    private final double lr;
    private final double alpha;
    private final double eps;
    private final double weightDecay;
    private final double momentum;
    private final boolean centered;

    public RmsProp(double lr) { this(lr, 0.99, 1e-8, 0, 0, false); }

    public RmsProp(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        this.lr = Hyperparameters.nonNegative("RMSProp", "lr", lr);
        this.alpha = Hyperparameters.unitInterval("RMSProp", "alpha", alpha, "0.99");
        this.eps = Hyperparameters.nonNegative("RMSProp", "eps", eps);
        this.weightDecay = Hyperparameters.nonNegative("RMSProp", "weight decay", weightDecay);
        this.momentum = Hyperparameters.unitInterval("RMSProp", "momentum", momentum, "0");
        this.centered = centered;
    }

    @Override public String name() {
        StringBuilder s = new StringBuilder("rmsprop(lr=").append(fmt(lr)).append(", alpha=").append(fmt(alpha));
        if (weightDecay != 0) s.append(", wd=").append(fmt(weightDecay));
        if (momentum != 0) s.append(", momentum=").append(fmt(momentum));
        if (centered) s.append(", centered");
        return s.append(')').toString();
    }

    @Override protected double learningRate(long step) { return lr; }

    /**
     * State: {@code v} (square average), {@code precond} (P of the last step), {@code grad_avg} (centered),
     * {@code momentum_buffer} (with momentum), {@code t} (directions computed).
     */
    @Override protected void initState(OptimizerState state) {
        state.addTensor("v");
        state.addTensor("precond");
        if (centered) state.addTensor("grad_avg");
        if (momentum != 0) state.addTensor("momentum_buffer");
        state.setScalar("t", 0);
    }

    @Override public void direction(StepContext ctx, OptimizerState state, INDArray out) {
        INDArray v = state.tensor("v"), precond = state.tensor("precond"), scratch = state.scratch("scratch");
        state.setScalar("t", state.scalar("t") + 1);
        INDArray d = decayedGradient(ctx, weightDecay, state.scratch("d"));
        v.muli(alpha);
        Vectors.axpy(1 - alpha, scratch.assign(d).muli(d), v);
        if (centered) {
            INDArray mean = state.tensor("grad_avg");
            mean.muli(alpha);
            Vectors.axpy(1 - alpha, d, mean);
            precond.assign(v).subi(scratch.assign(mean).muli(mean));
            Transforms.sqrt(precond, false).addi(eps);
        } else {
            precond.assign(v);
            Transforms.sqrt(precond, false).addi(eps);
        }
        if (momentum != 0) {
            INDArray buffer = state.tensor("momentum_buffer");
            buffer.muli(momentum).addi(scratch.assign(d).divi(precond));
            out.assign(buffer).negi();
        } else {
            out.assign(d).divi(precond).negi();
        }
    }

    /** The diagonal P of the last step, a copy (null before the first step). */
    public INDArray preconditionerDiagonal(OptimizerState state) {
        return state.scalar("t") == 0 ? null : state.tensor("precond").dup();
    }

    /** Offers {@link Preconditioned} (the diagonal P in {@code state}) once a step was taken. */
    @Override public <T> Optional<T> capability(Class<T> type, OptimizerState state) {
        if (type != Preconditioned.class || state.scalar("t") == 0) return Optional.empty();
        return Optional.of(type.cast((Preconditioned) () -> preconditionerDiagonal(state)));
    }
}
