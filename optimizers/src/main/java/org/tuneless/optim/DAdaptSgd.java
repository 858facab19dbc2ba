package org.tuneless.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.metrics.Metrics;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.ParameterTensor;
import org.tuneless.tensor.Vectors;

/**
 * D-Adaptation for SGD (Defazio & Mishchenko, arXiv 2301.07733: the paper's dual-averaging algorithm with
 * D-Adaptation and its SGD form): dual averaging s ← s + λ_k·g_k, x_{k+1} = x_0 − s (with momentum μ:
 * x ← μ·x + (1−μ)·(x_0 − s)), step λ_k = d_k·lr/‖g_0‖, and the distance estimate
 * d̂ = 2·Σ_i λ_i⟨g_i, s_{i−1}⟩/‖s_k‖, d_{k+1} = max(d_k, min(d̂, d_k·growthRate)). See docs/methods.md §9.3.
 *
 * <p>Reproduces the official implementation ({@code dadaptation.DAdaptSGD}, version 3.2), which uses the "IP"
 * numerator 2·Σλ_i⟨g_i, s_i⟩/‖s‖ (equal to (‖s‖² − Σλ_i²‖g_i‖²)/‖s‖, where the paper's dual-averaging algorithm has
 * a further factor 1/2) and normalises the step by the norm of the <em>raw</em> first gradient ‖g_0‖ (its
 * weight-decay line there discards its result), as the official implementation does. The new d is used from the next
 * step on. Weight decay is coupled (g ← g + λx), applied before the numerator and s.
 *
 * <p>Zero first gradient: the official code stores ‖g_0‖ = 0 and then fails with ZeroDivisionError; here an
 * {@link IllegalStateException}, with nothing else changed (k stays 0, ‖g_0‖ is recorded as 0). The next call
 * recomputes ‖g_0‖, so a later nonzero gradient starts exactly like a fresh first step.
 *
 * <p>Reports λ_k = d·lr/‖g_0‖ (old d) as the learning rate; diagnostics {@code dadapt.d} (new d),
 * {@code dadapt.d_hat}, {@code dadapt.dlr}. State: tensors {@code s}, {@code x0}; scalars {@code d},
 * {@code numerator_weighted}, {@code k}, {@code g0_norm}.
 */
public final class DAdaptSgd implements Optimizer {

    private final double lr;
    private final double momentum;
    private final double weightDecay;
    private final double d0;
    private final double growthRate;

    /** Official defaults: lr 1, momentum 0, no weight decay, d0 1e-6, unlimited growth. */
    public DAdaptSgd() { this(1.0, 0, 0, 1e-6, Double.POSITIVE_INFINITY); }

    public DAdaptSgd(double lr, double momentum, double weightDecay, double d0, double growthRate) {
        this.lr = Hyperparameters.positive("D-Adapt SGD", "lr", lr);
        this.momentum = Hyperparameters.unitInterval("D-Adapt SGD", "momentum", momentum, "0 or 0.9");
        this.weightDecay = Hyperparameters.nonNegative("D-Adapt SGD", "weight decay", weightDecay);
        this.d0 = Hyperparameters.positive("D-Adapt SGD", "d0", d0);
        if (!(growthRate >= 1)) {
            throw new IllegalArgumentException("D-Adapt SGD: growth rate = " + growthRate + " must be ≥ 1 (∞ = unlimited)");
        }
        this.growthRate = growthRate;
    }

    @Override public String name() {
        List<String> p = new java.util.ArrayList<>();
        if (lr != 1) p.add("lr=" + BaseOptimizer.fmt(lr));
        if (momentum != 0) p.add("momentum=" + BaseOptimizer.fmt(momentum));
        if (weightDecay != 0) p.add("wd=" + BaseOptimizer.fmt(weightDecay));
        if (d0 != 1e-6) p.add("d0=" + BaseOptimizer.fmt(d0));
        if (growthRate != Double.POSITIVE_INFINITY) p.add("growth_rate=" + BaseOptimizer.fmt(growthRate));
        return "dadapt-sgd(" + String.join(", ", p) + ")";
    }

    /** A schedule multiplies lr, so d·lr (as torch's LR schedulers do with the official code). */
    @Override public boolean followsSchedule() { return true; }

    @Override public String toString() { return name(); }

    @Override public OptimizerState init(ParameterLayout layout, DataType type) {
        OptimizerState s = new OptimizerState(layout, type);
        s.addTensor("s");
        s.addTensor("x0");
        s.setScalar("d", d0).setScalar("numerator_weighted", 0).setScalar("k", 0).setScalar("g0_norm", 0);
        return s;
    }

    @Override public StepResult step(StepContext ctx, OptimizerState state) {
        List<ParameterTensor> tensors = state.layout().tensors();
        INDArray x = ctx.parameters(), s = state.tensor("s"), x0 = state.tensor("x0");
        double k = state.scalar("k");
        if (k == 0) {
            // ‖g_0‖ of the raw gradient, summed over tensors in layout order
            double sq = 0;
            for (ParameterTensor t : tensors) {
                INDArray gp = ParameterLayout.view(ctx.gradient(), t);
                sq += Vectors.dot(gp, gp);
            }
            state.setScalar("g0_norm", Math.sqrt(sq));
        }
        double g0Norm = state.scalar("g0_norm");
        if (g0Norm == 0) {
            throw new IllegalStateException("D-Adapt SGD: the first gradient is zero (‖g0‖ = 0), so the step d·lr/‖g0‖ is "
                    + "undefined (the official code raises ZeroDivisionError here); nothing moved, the next step starts afresh");
        }
        double d = state.scalar("d");
        double dlr = d * lr * ctx.lrFactor() / g0Norm;  // a schedule multiplies lr, as torch schedulers change group['lr']
        if (k == 0) x0.assign(x);
        INDArray g = BaseOptimizer.decayedGradient(ctx, weightDecay, state.scratch("g"));
        double nw = state.scalar("numerator_weighted");
        // per tensor, in layout order: nw += dlr·⟨g, s_old⟩, then s += dlr·g, then sk_sq += ‖s‖²
        for (ParameterTensor t : tensors) nw += dlr * Vectors.dot(ParameterLayout.view(g, t), ParameterLayout.view(s, t));
        Vectors.axpy(dlr, g, s);
        double skSq = 0;
        for (ParameterTensor t : tensors) {
            INDArray sp = ParameterLayout.view(s, t);
            skSq += Vectors.dot(sp, sp);
        }
        if (skSq == 0) {
            // unreachable with lr > 0 and ‖g0‖ > 0 (the official code divides by √sk_sq first); kept for fidelity
            return new StepResult(dlr, Metrics.ordered(Metrics.DADAPT_D, d, Metrics.DADAPT_DLR, dlr));
        }
        double dHat = 2 * nw / Math.sqrt(skSq);
        d = Math.max(d, Math.min(dHat, d * growthRate));
        state.setScalar("numerator_weighted", nw).setScalar("d", d);
        // z = x0 − s; x = μ·x + (1 − μ)·z
        INDArray z = state.scratch("z");
        z.assign(x0).subi(s);
        x.muli(momentum);
        Vectors.axpy(1 - momentum, z, x);
        state.setScalar("k", k + 1);
        Map<String, Double> diag = new LinkedHashMap<>();
        diag.put(Metrics.DADAPT_D, d);
        diag.put(Metrics.DADAPT_D_HAT, dHat);
        diag.put(Metrics.DADAPT_DLR, dlr);
        return new StepResult(dlr, diag);
    }
}
