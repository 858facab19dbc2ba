package org.tuneless.optim;

import java.util.Map;
import java.util.Optional;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.curvature.Preconditioned;
import org.tuneless.metrics.Metrics;
import org.tuneless.tensor.Kernels;
import org.tuneless.tensor.Vectors;

/**
 * Adam (Kingma & Ba 2015, Alg. 1) with torch.optim.Adam semantics: d = g + λw (coupled L2); m = β₁m + (1−β₁)d;
 * v = β₂v + (1−β₂)d²; m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ); u = −m̂/(√v̂ + ε). Defaults lr 1e-3, β = (0.9, 0.999), ε 1e-8.
 * Its preconditioner is P = √v̂ + ε (bias-corrected second moment; the 1/(1−β₁ᵗ) factor belongs to m̂, not P).
 */
public class Adam extends BaseOptimizer {

    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;

    public Adam(double lr) { this(lr, 0.9, 0.999, 1e-8, 0); }

    public Adam(double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(lr, beta1, beta2, eps, weightDecay, false, "Adam");
    }

    Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled, String owner) {
        this.lr = Hyperparameters.nonNegative(owner, "lr", lr);
        this.beta1 = Hyperparameters.unitInterval(owner, "beta1", beta1, "0.9");
        this.beta2 = Hyperparameters.unitInterval(owner, "beta2", beta2, "0.999");
        this.eps = Hyperparameters.nonNegative(owner, "eps", eps);
        this.weightDecay = Hyperparameters.nonNegative(owner, "weight decay", weightDecay);
        this.decoupled = decoupled;
    }

    @Override public String name() {
        StringBuilder s = new StringBuilder(decoupled ? "adamw" : "adam").append("(lr=").append(fmt(lr));
        if (beta1 != 0.9 || beta2 != 0.999) s.append(", betas=(").append(fmt(beta1)).append(", ").append(fmt(beta2)).append(')');
        if (weightDecay != 0) s.append(", wd=").append(fmt(weightDecay));
        return s.append(')').toString();
    }

    @Override protected double learningRate(long step) { return lr; }

    /** State: {@code m}, {@code v} (first and second moments), {@code precond} (P of the last step), step count {@code t}. */
    @Override protected void initState(OptimizerState state) {
        state.addTensor("m");
        state.addTensor("v");
        state.addTensor("precond");
        state.setScalar("t", 0);
    }

    /**
     * float32 with the fused kernels: moments, direction and w ← w + lr·u in one pass ({@link Kernels#adamStep}: the
     * direction is never stored, which saves three parameter-sized passes of a memory-bound update); otherwise
     * {@link #direction} and an axpy, as every base optimizer.
     */
    @Override public StepResult step(StepContext ctx, OptimizerState state) {
        INDArray m = state.tensor("m"), v = state.tensor("v"), precond = state.tensor("precond");
        double t = state.scalar("t") + 1;
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        double lr = learningRate(ctx.step()) * ctx.lrFactor();
        if (!Kernels.adamStep(ctx.gradient(), ctx.parameters(), decoupled ? 0 : weightDecay, m, v, precond, lr,
                beta1, beta2, bc1, bc2, eps, decoupled ? weightDecay : 0)) return super.step(ctx, state);
        state.setScalar("t", t);
        return new StepResult(lr, diagnostics(state));
    }

    @Override public void direction(StepContext ctx, OptimizerState state, INDArray out) {
        INDArray m = state.tensor("m"), v = state.tensor("v"), precond = state.tensor("precond");
        double t = state.scalar("t") + 1;
        state.setScalar("t", t);
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        // float32: the whole update below in one fused pass (tensor.Kernels); float64 and without the Vector API: ND4J ops
        if (Kernels.adamDirection(ctx.gradient(), ctx.parameters(), decoupled ? 0 : weightDecay, m, v, precond, out,
                beta1, beta2, bc1, bc2, eps, decoupled ? weightDecay : 0)) return;
        INDArray d = decayedGradient(ctx, decoupled ? 0 : weightDecay, state.scratch("d")), scratch = state.scratch("scratch");
        m.muli(beta1);
        Vectors.axpy(1 - beta1, d, m);
        v.muli(beta2);
        Vectors.axpy(1 - beta2, scratch.assign(d).muli(d), v);
        precond.assign(v).divi(bc2);
        Transforms.sqrt(precond, false).addi(eps);
        out.assign(m).divi(precond).divi(-bc1);
        // AdamW (Loshchilov & Hutter 2019): decoupled decay; w ← w − lr·λ·w − lr·m̂/(√v̂+ε), i.e. u gains −λ·w
        if (decoupled && weightDecay != 0) Vectors.axpy(-weightDecay, ctx.parameters(), out);
    }

    @Override protected Map<String, Double> diagnostics(OptimizerState state) {
        double t = state.scalar("t");
        return Metrics.ordered(Metrics.ADAM_BIAS_CORRECTION1, 1 - Math.pow(beta1, t), Metrics.ADAM_BIAS_CORRECTION2, 1 - Math.pow(beta2, t));
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
