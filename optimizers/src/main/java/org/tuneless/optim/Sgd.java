package org.tuneless.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.tensor.Vectors;

/**
 * Stochastic gradient descent with optional heavy-ball or Nesterov momentum and coupled L2 weight decay, with
 * torch.optim.SGD semantics: d = g + λw; b₁ = d, b_t = μ·b_{t−1} + (1−τ)·d; u = −b (heavy ball) or u = −(d + μ·b)
 * (Nesterov); w ← w + lr·u. Defaults: momentum 0, dampening τ 0, no Nesterov, no weight decay.
 */
public class Sgd extends BaseOptimizer {

    private final double lr;
    private final double momentum;
    private final double dampening;
    private final boolean nesterov;
    private final double weightDecay;

    public Sgd(double lr) { this(lr, 0, 0, false, 0); }

    public Sgd(double lr, double momentum, double dampening, boolean nesterov, double weightDecay) {
        this.lr = Hyperparameters.nonNegative("SGD", "lr", lr);
        this.momentum = Hyperparameters.unitInterval("SGD", "momentum", momentum, "0.9");
        this.dampening = Hyperparameters.unitInterval("SGD", "dampening", dampening, "0");
        this.weightDecay = Hyperparameters.nonNegative("SGD", "weight decay", weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum needs momentum > 0 and dampening = 0 (got momentum "
                    + momentum + ", dampening " + dampening + ")");
        }
        this.nesterov = nesterov;
    }

    /** Heavy-ball momentum μ (torch.optim.SGD with momentum=μ). */
    public static Sgd momentum(double lr, double momentum) { return new Sgd(lr, momentum, 0, false, 0); }

    /** Nesterov momentum μ (torch.optim.SGD with momentum=μ, nesterov=True). */
    public static Sgd nesterov(double lr, double momentum) { return new Sgd(lr, momentum, 0, true, 0); }

    public double momentum() { return momentum; }

    @Override public String name() {
        String kind = momentum == 0 ? "sgd" : nesterov ? "nesterov" : "momentum";
        StringBuilder s = new StringBuilder(kind).append("(lr=").append(fmt(lr));
        if (momentum != 0) s.append(", momentum=").append(fmt(momentum));
        if (dampening != 0) s.append(", dampening=").append(fmt(dampening));
        if (weightDecay != 0) s.append(", wd=").append(fmt(weightDecay));
        return s.append(')').toString();
    }

    @Override protected double learningRate(long step) { return lr; }

    /** State: with momentum, the buffer {@code momentum_buffer} and the count {@code t} of directions computed. */
    @Override protected void initState(OptimizerState state) {
        if (momentum != 0) {
            state.addTensor("momentum_buffer");
            state.setScalar("t", 0);
        }
    }

    @Override public void direction(StepContext ctx, OptimizerState state, INDArray out) {
        INDArray d = decayedGradient(ctx, weightDecay, state.scratch("d"));
        if (momentum == 0) {
            out.assign(d).negi();
            return;
        }
        // torch.optim.SGD: buf = d on the first step, then buf = μ·buf + (1 − dampening)·d
        INDArray buffer = state.tensor("momentum_buffer");
        double t = state.scalar("t");
        state.setScalar("t", t + 1);
        if (t == 0) {
            buffer.assign(d);
        } else {
            buffer.muli(momentum);
            Vectors.axpy(1 - dampening, d, buffer);
        }
        if (nesterov) {
            out.assign(d);
            Vectors.axpy(momentum, buffer, out);
            out.negi();
        } else {
            out.assign(buffer).negi();
        }
    }
}
