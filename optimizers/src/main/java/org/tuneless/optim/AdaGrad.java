package org.tuneless.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.curvature.Preconditioned;
import org.tuneless.tensor.Vectors;

/**
 * AdaGrad (Duchi et al. 2011) with torch.optim.Adagrad semantics: η_t = lr/(1 + (t−1)·lr_decay); d = g + λw;
 * s = s + d²; u = −d/(√s + ε). Defaults lr 0.01, lr_decay 0, ε 1e-10, initial accumulator 0.
 */
public class AdaGrad extends BaseOptimizer implements Preconditioned {

    private final double lr;
    private final double lrDecay;
    private final double eps;
    private final double weightDecay;
    private final double initialAccumulator;
    private INDArray d;
    private INDArray sum;
    private INDArray precond;
    private INDArray scratch;

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

    @Override public void direction(StepContext ctx, INDArray out) {
        if (sum == null || sum.length() != out.length()) {
            d = zerosLike(out);
            sum = zerosLike(out).addi(initialAccumulator);
            precond = zerosLike(out);
            scratch = zerosLike(out);
        }
        INDArray d = decayedGradient(ctx, weightDecay, this.d);
        Vectors.axpy(1.0, scratch.assign(d).muli(d), sum);
        precond.assign(sum);
        Transforms.sqrt(precond, false).addi(eps);
        out.assign(d).divi(precond).negi();
    }

    @Override public INDArray preconditionerDiagonal() { return precond == null ? null : precond.dup(); }

    @Override public void reset() {
        sum = null;
        precond = null;
    }
}
