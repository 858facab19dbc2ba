package org.tuneless.optim;

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
public class RmsProp extends BaseOptimizer implements Preconditioned {

    private final double lr;
    private final double alpha;
    private final double eps;
    private final double weightDecay;
    private final double momentum;
    private final boolean centered;
    private INDArray d;
    private INDArray v;
    private INDArray mean;
    private INDArray precond;
    private INDArray scratch;
    private INDArray buffer;

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

    @Override public void direction(StepContext ctx, INDArray out) {
        if (v == null || v.length() != out.length()) {
            d = zerosLike(out);
            v = zerosLike(out);
            precond = zerosLike(out);
            scratch = zerosLike(out);
            if (centered) mean = zerosLike(out);
            if (momentum != 0) buffer = zerosLike(out);
        }
        INDArray d = decayedGradient(ctx, weightDecay, this.d);
        v.muli(alpha);
        Vectors.axpy(1 - alpha, scratch.assign(d).muli(d), v);
        if (centered) {
            mean.muli(alpha);
            Vectors.axpy(1 - alpha, d, mean);
            precond.assign(v).subi(scratch.assign(mean).muli(mean));
            Transforms.sqrt(precond, false).addi(eps);
        } else {
            precond.assign(v);
            Transforms.sqrt(precond, false).addi(eps);
        }
        if (momentum != 0) {
            buffer.muli(momentum).addi(scratch.assign(d).divi(precond));
            out.assign(buffer).negi();
        } else {
            out.assign(d).divi(precond).negi();
        }
    }

    @Override public INDArray preconditionerDiagonal() { return precond == null ? null : precond.dup(); }

    @Override public void reset() {
        v = null;
        mean = null;
        precond = null;
        buffer = null;
    }
}
