package org.tuneless.optim;

import java.util.Optional;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.curvature.Preconditioned;
import org.tuneless.tensor.Vectors;

/**
 * AdaGrad (Duchi et al. 2011) with torch.optim.Adagrad semantics: η_t = lr/(1 + (t−1)·lr_decay); d = g + λw;
 * s = s + d²; u = −d/(√s + ε). Defaults lr 0.01, lr_decay 0, ε 1e-10, initial accumulator 0.
 */
public class AdaGrad extends BaseOptimizer {

    private final double lr;
    private final double lrDecay;
    private final double eps;
    private final double weightDecay;
    private final double initialAccumulator;

    public AdaGrad(double lr) { this(lr, 0, 1e-10, 0, 0); }

    public AdaGrad(double lr, double lrDecay, double eps, double weightDecay, double initialAccumulator) {
        this.lr = Hyperparameters.nonNegative("AdaGrad", "lr", lr);
        this.lrDecay = Hyperparameters.nonNegative("AdaGrad", "lr decay", lrDecay);
        this.eps = Hyperparameters.nonNegative("AdaGrad", "eps", eps);
        this.weightDecay = Hyperparameters.nonNegative("AdaGrad", "weight decay", weightDecay);
        this.initialAccumulator = Hyperparameters.nonNegative("AdaGrad", "initial accumulator value", initialAccumulator);
    }

    @Override public String name() {
        StringBuilder s = new StringBuilder("adagrad(lr=").append(fmt(lr));
        if (lrDecay != 0) s.append(", lr_decay=").append(fmt(lrDecay));
        if (weightDecay != 0) s.append(", wd=").append(fmt(weightDecay));
        return s.append(')').toString();
    }

    @Override protected double learningRate(long step) { return lr / (1 + step * lrDecay); }

    /** State: {@code sum} (accumulated squares), {@code precond} (P = √sum + ε of the last step), {@code t}. */
    @Override protected void initState(OptimizerState state) {
        state.addTensor("sum").addi(initialAccumulator);
        state.addTensor("precond");
        state.setScalar("t", 0);
    }

    @Override public void direction(StepContext ctx, OptimizerState state, INDArray out) {
        INDArray sum = state.tensor("sum"), precond = state.tensor("precond"), scratch = state.scratch("scratch");
        state.setScalar("t", state.scalar("t") + 1);
        INDArray d = decayedGradient(ctx, weightDecay, state.scratch("d"));
        Vectors.axpy(1.0, scratch.assign(d).muli(d), sum);
        precond.assign(sum);
        Transforms.sqrt(precond, false).addi(eps);
        out.assign(d).divi(precond).negi();
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
