package org.tuneless.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.metrics.Metrics;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.ParameterTensor;
import org.tuneless.tensor.Vectors;

/**
 * D-Adaptation for Adam (Defazio & Mishchenko, arXiv 2301.07733, the algorithm "Adam with D-Adaptation"), as in the
 * official implementation's version 3 ({@code dadaptation.DAdaptAdam} 3.2), which we reproduce. With λ = d·lr·bc (old
 * d; bc = √(1−β₂^{k+1})/(1−β₁^{k+1}) with bias correction, else 1) and r the layer scale:
 * <pre>
 *   acc += r·λ·⟨g, s/(√v_old + ε)⟩            (old s and v)
 *   m = β₁m + r·λ(1−β₁)·g ;  v = β₂v + (1−β₂)·g² ;  s = √β₂·s + λ(1−√β₂)·g
 *   numerator = √β₂·numerator + (1−√β₂)·acc ;  d̂ = numerator/((1−√β₂)·‖s‖₁·r)
 *   d = max(d, min(d̂, d·growthRate)) ;  x −= m/(√v + ε)   (new v, no bias correction on v)
 * </pre>
 * Where the code differs from the paper (the README warns that version 3 "may give different results from past
 * versions"): exponential averages with √β₂ for s and the numerator, an L1 norm of s in the denominator, and λ
 * inside m but not in v; as the official implementation does, we follow the code. Bias correction is off by default.
 * Weight decay is coupled (g ← g + λx) unless {@code decouple}, then x ← x − decay·λ·x before the step.
 *
 * <p>If ‖s‖₁ = 0 (a zero gradient on the first step) the step returns early, as the official implementation does:
 * nothing moves and k does not advance, but m, v and s have already been decayed. A single parameter group with
 * layer scale 1.
 *
 * See docs/methods.md §9.3.
 *
 * <p>Reports λ = d·lr·bc (old d) as the learning rate; diagnostics {@code dadapt.d} (new d), {@code dadapt.d_hat},
 * {@code dadapt.dlr}. State: tensors {@code s}, {@code exp_avg}, {@code exp_avg_sq}; scalars {@code d},
 * {@code numerator_weighted}, {@code k}.
 */
public final class DAdaptAdam implements Optimizer {

    private static final double LAYER_SCALE = 1.0;

    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decouple;
    private final boolean useBiasCorrection;
    private final double d0;
    private final double growthRate;

    /** Official defaults: lr 1, betas (0.9, 0.999), eps 1e-8, no decay, coupled, no bias correction, d0 1e-6, growth ∞. */
    public DAdaptAdam() { this(1.0, 0.9, 0.999, 1e-8, 0, false, false, 1e-6, Double.POSITIVE_INFINITY); }

    public DAdaptAdam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decouple,
                      boolean useBiasCorrection, double d0, double growthRate) {
        String o = "D-Adapt Adam";
        this.lr = Hyperparameters.positive(o, "lr", lr);
        this.beta1 = Hyperparameters.unitInterval(o, "beta1", beta1, "0.9");
        this.beta2 = Hyperparameters.unitInterval(o, "beta2", beta2, "0.999");
        this.eps = Hyperparameters.nonNegative(o, "eps", eps);
        this.weightDecay = Hyperparameters.nonNegative(o, "weight decay", weightDecay);
        this.decouple = decouple;
        this.useBiasCorrection = useBiasCorrection;
        this.d0 = Hyperparameters.positive(o, "d0", d0);
        if (!(growthRate >= 1)) throw new IllegalArgumentException(o + ": growth rate = " + growthRate + " must be ≥ 1 (∞ = unlimited)");
        this.growthRate = growthRate;
    }

    @Override public String name() {
        List<String> p = new java.util.ArrayList<>();
        if (lr != 1) p.add("lr=" + BaseOptimizer.fmt(lr));
        if (beta1 != 0.9 || beta2 != 0.999) p.add("betas=(" + BaseOptimizer.fmt(beta1) + ", " + BaseOptimizer.fmt(beta2) + ")");
        if (eps != 1e-8) p.add("eps=" + BaseOptimizer.fmt(eps));
        if (weightDecay != 0) p.add("wd=" + BaseOptimizer.fmt(weightDecay) + (decouple ? ", decoupled" : ""));
        if (useBiasCorrection) p.add("bias_correction");
        if (d0 != 1e-6) p.add("d0=" + BaseOptimizer.fmt(d0));
        if (growthRate != Double.POSITIVE_INFINITY) p.add("growth_rate=" + BaseOptimizer.fmt(growthRate));
        return "dadapt-adam(" + String.join(", ", p) + ")";
    }

    /** A schedule multiplies lr, so d·lr (as torch's LR schedulers do with the official code). */
    @Override public boolean followsSchedule() { return true; }

    @Override public String toString() { return name(); }

    @Override public OptimizerState init(ParameterLayout layout, DataType type) {
        OptimizerState s = new OptimizerState(layout, type);
        s.addTensor("s");
        s.addTensor("exp_avg");
        s.addTensor("exp_avg_sq");
        s.setScalar("d", d0).setScalar("numerator_weighted", 0).setScalar("k", 0);
        return s;
    }

    @Override public StepResult step(StepContext ctx, OptimizerState state) {
        List<ParameterTensor> tensors = state.layout().tensors();
        INDArray x = ctx.parameters(), s = state.tensor("s"), m = state.tensor("exp_avg"), v = state.tensor("exp_avg_sq");
        double k = state.scalar("k"), d = state.scalar("d");
        double bc = useBiasCorrection ? Math.sqrt(1 - Math.pow(beta2, k + 1)) / (1 - Math.pow(beta1, k + 1)) : 1;
        double dlr = d * lr * ctx.lrFactor() * bc;  // a schedule multiplies lr, as torch schedulers change group['lr']
        double sb2 = Math.sqrt(beta2);
        double r = LAYER_SCALE;
        INDArray g = BaseOptimizer.decayedGradient(ctx, decouple ? 0 : weightDecay, state.scratch("g"));
        // acc += r·dlr·⟨g, s/(√v + ε)⟩ with the old s and v, per tensor in layout order
        INDArray ratio = state.scratch("ratio");
        Transforms.sqrt(ratio.assign(v), false).addi(eps);
        ratio.rdivi(s);
        double acc = 0;
        for (ParameterTensor t : tensors) acc += r * dlr * Vectors.dot(ParameterLayout.view(g, t), ParameterLayout.view(ratio, t));
        m.muli(beta1);
        Vectors.axpy(r * dlr * (1 - beta1), g, m);
        INDArray gSq = state.scratch("g_sq");
        gSq.assign(g).muli(g);
        v.muli(beta2);
        Vectors.axpy(1 - beta2, gSq, v);
        s.muli(sb2);
        Vectors.axpy(dlr * (1 - sb2), g, s);
        double skL1 = 0;
        for (ParameterTensor t : tensors) skL1 += r * ParameterLayout.view(s, t).norm1Number().doubleValue();
        double nw = sb2 * state.scalar("numerator_weighted") + (1 - sb2) * acc;
        if (skL1 == 0) {
            // as the official code: return without storing the numerator or moving; k does not advance
            return new StepResult(dlr, Metrics.ordered(Metrics.DADAPT_D, d, Metrics.DADAPT_DLR, dlr));
        }
        double dHat = nw / ((1 - sb2) * skL1);
        d = Math.max(d, Math.min(dHat, d * growthRate));
        state.setScalar("numerator_weighted", nw).setScalar("d", d);
        INDArray denom = state.scratch("denom");
        Transforms.sqrt(denom.assign(v), false).addi(eps);
        if (weightDecay != 0 && decouple) Vectors.axpy(-weightDecay * dlr, x, x);
        x.subi(denom.rdivi(m));
        state.setScalar("k", k + 1);
        Map<String, Double> diag = new LinkedHashMap<>();
        diag.put(Metrics.DADAPT_D, d);
        diag.put(Metrics.DADAPT_D_HAT, dHat);
        diag.put(Metrics.DADAPT_DLR, dlr);
        return new StepResult(dlr, diag);
    }
}
