package org.tuneless.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.tensor.Vectors;

/**
 * Lion (Chen et al., "Symbolic Discovery of Optimization Algorithms", arXiv 2302.06675, Program 1): the sign of an
 * interpolation between the momentum and the gradient, with decoupled weight decay:
 * <pre>
 *   c = β₁·m + (1 − β₁)·g ;  u = −sign(c) − λ·w ;  w ← w + lr·u ;  m ← β₂·m + (1 − β₂)·g
 * </pre>
 * Every coordinate moves by exactly lr (before decay), so Lion's lr is typically 3–10× smaller than AdamW's. Defaults
 * lr 1e-4, β₁ 0.9, β₂ 0.99, λ 0 (the paper's recommendation for λ is 3–10× AdamW's). sign(0) = 0. State: the momentum
 * {@code m}. As a base direction for a step-size tuner, u = −sign(c) − λ·w.
 *
 * <p>This optimizer is the worked example of docs/adding-an-optimizer.md: one class, one catalog entry in
 * {@link Optimizers}, one DSL function.
 */
public final class Lion extends BaseOptimizer {

    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double weightDecay;

    public Lion(double lr, double beta1, double beta2, double weightDecay) {
        this.lr = Hyperparameters.nonNegative("Lion", "lr", lr);
        this.beta1 = Hyperparameters.unitInterval("Lion", "beta1", beta1, "0.9");
        this.beta2 = Hyperparameters.unitInterval("Lion", "beta2", beta2, "0.99");
        this.weightDecay = Hyperparameters.nonNegative("Lion", "weight decay", weightDecay);
    }

    @Override public String name() {
        StringBuilder s = new StringBuilder("lion(lr=").append(fmt(lr));
        if (beta1 != 0.9 || beta2 != 0.99) s.append(", betas=(").append(fmt(beta1)).append(", ").append(fmt(beta2)).append(')');
        if (weightDecay != 0) s.append(", wd=").append(fmt(weightDecay));
        return s.append(')').toString();
    }

    @Override protected double learningRate(long step) { return lr; }

    @Override protected void initState(OptimizerState state) {
        state.addTensor("m");
    }

    @Override public void direction(StepContext ctx, OptimizerState state, INDArray out) {
        INDArray g = ctx.gradient(), m = state.tensor("m");
        out.assign(m).muli(beta1);                  // c = β₁·m + (1 − β₁)·g
        Vectors.axpy(1 - beta1, g, out);
        Transforms.sign(out, false).negi();         // u = −sign(c)
        if (weightDecay != 0) Vectors.axpy(-weightDecay, ctx.parameters(), out);  // decoupled decay: u −= λ·w
        m.muli(beta2);                              // m ← β₂·m + (1 − β₂)·g
        Vectors.axpy(1 - beta2, g, m);
    }
}
