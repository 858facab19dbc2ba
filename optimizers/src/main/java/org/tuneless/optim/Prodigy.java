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
import org.tuneless.tensor.Kernels;
import org.tuneless.tensor.Vectors;

/**
 * Prodigy (Mishchenko & Defazio, arXiv 2306.06101, the algorithm "Prodigy (Adam version)"): Adam whose step size d·lr
 * is estimated from the distance to the start, d̂ = d_coef·Σ_i λ_i⟨g_i, x_0 − x_i⟩/‖s‖₁. With λ = d·lr·bc (old d; bc as
 * in {@link DAdaptAdam}) and the weights d/d0 the official code uses to avoid tiny values:
 * <pre>
 *   numerator = β₃·numerator + Σ_p (d/d0)·λ·⟨g_p, x0_p − x_p⟩
 *   m = β₁m + d(1−β₁)·g ;  v = β₂v + d²(1−β₂)·g² ;  s = β₃s + (d/d0)·λ·g   (safeguard warmup: (d/d0)·d·g)
 *   d̂ = d_coef·numerator/‖s‖₁ ;  if d = d0: d = max(d, d̂) ;  d_max = max(d_max, d̂) ;  d = min(d_max, d·growthRate)
 *   x −= λ·m/(√v + d·ε)     (β₁ = 0: x −= λ·d·g/(√v + d·ε); new d in the denominator)
 * </pre>
 * β₃ defaults to √β₂. Decay is decoupled by default (x ← x − decay·λ·x before the step), coupled (g ← g + decay·x)
 * otherwise. This reproduces the official implementation ({@code prodigyopt.Prodigy} 1.1.2), which the authors'
 * reference implementation matches; where it goes beyond the paper's algorithm (the d/d0 weights, d_coef, the
 * growth-rate cap and its quirk: while d still equals d0 the first increase jumps straight to d̂, uncapped), we
 * reproduce the code, as the official implementation does. Bias correction is off by default (optax turns it on).
 * Only {@code sliceP = 1} (statistics on every element) is supported.
 *
 * <p>If ‖s‖₁ = 0 (a zero gradient on the first step) the step returns early, as the official implementation does:
 * nothing moves, k does not advance and the decayed numerator is not stored, but m, v and s were already decayed.
 *
 * See docs/methods.md §9.4.
 *
 * <p>Reports λ = d·lr·bc (old d) as the learning rate; diagnostics {@code prodigy.d} (new d), {@code prodigy.d_hat},
 * {@code prodigy.d_numerator}, {@code prodigy.d_denom}, {@code prodigy.dlr}. State: tensors {@code s}, {@code p0},
 * {@code exp_avg} (only if β₁ > 0), {@code exp_avg_sq}; scalars {@code d}, {@code d_max}, {@code d_numerator},
 * {@code d_hat}, {@code d_denom}, {@code k}.
 */
public final class Prodigy implements Optimizer {

    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double beta3;
    private final double eps;
    private final double weightDecay;
    private final boolean decouple;
    private final boolean useBiasCorrection;
    private final boolean safeguardWarmup;
    private final double d0;
    private final double dCoef;
    private final double growthRate;

    /** Official defaults. */
    public Prodigy() { this(1.0, 0.9, 0.999, Double.NaN, 1e-8, 0, true, false, false, 1e-6, 1.0, Double.POSITIVE_INFINITY, 1); }

    /**
     * @param beta3  EMA factor of the numerator and s, in [0, 1); NaN means √β₂ (the official default)
     * @param sliceP must be 1 (the official option of computing the statistics on every p-th element is not supported)
     */
    public Prodigy(double lr, double beta1, double beta2, double beta3, double eps, double weightDecay, boolean decouple,
                   boolean useBiasCorrection, boolean safeguardWarmup, double d0, double dCoef, double growthRate, int sliceP) {
        String o = "Prodigy";
        this.lr = Hyperparameters.positive(o, "lr", lr);
        this.beta1 = Hyperparameters.unitInterval(o, "beta1", beta1, "0.9");
        this.beta2 = Hyperparameters.unitInterval(o, "beta2", beta2, "0.999");
        this.beta3 = Double.isNaN(beta3) ? Math.sqrt(this.beta2) : Hyperparameters.unitInterval(o, "beta3", beta3, "√beta2 (the default)");
        this.eps = Hyperparameters.nonNegative(o, "eps", eps);
        this.weightDecay = Hyperparameters.nonNegative(o, "weight decay", weightDecay);
        this.decouple = decouple;
        this.useBiasCorrection = useBiasCorrection;
        this.safeguardWarmup = safeguardWarmup;
        this.d0 = Hyperparameters.positive(o, "d0", d0);
        this.dCoef = Hyperparameters.positive(o, "d_coef", dCoef);
        if (!(growthRate >= 1)) throw new IllegalArgumentException(o + ": growth rate = " + growthRate + " must be ≥ 1 (∞ = unlimited)");
        this.growthRate = growthRate;
        if (sliceP != 1) {
            throw new IllegalArgumentException(o + ": slice_p = " + sliceP + " is not supported; only slice_p = 1 (every element) is");
        }
    }

    @Override public String name() {
        List<String> p = new java.util.ArrayList<>();
        if (lr != 1) p.add("lr=" + BaseOptimizer.fmt(lr));
        if (beta1 != 0.9 || beta2 != 0.999) p.add("betas=(" + BaseOptimizer.fmt(beta1) + ", " + BaseOptimizer.fmt(beta2) + ")");
        if (beta3 != Math.sqrt(beta2)) p.add("beta3=" + BaseOptimizer.fmt(beta3));
        if (eps != 1e-8) p.add("eps=" + BaseOptimizer.fmt(eps));
        if (weightDecay != 0) p.add("wd=" + BaseOptimizer.fmt(weightDecay) + (decouple ? "" : ", coupled"));
        if (useBiasCorrection) p.add("bias_correction");
        if (safeguardWarmup) p.add("safeguard_warmup");
        if (d0 != 1e-6) p.add("d0=" + BaseOptimizer.fmt(d0));
        if (dCoef != 1) p.add("d_coef=" + BaseOptimizer.fmt(dCoef));
        if (growthRate != Double.POSITIVE_INFINITY) p.add("growth_rate=" + BaseOptimizer.fmt(growthRate));
        return "prodigy(" + String.join(", ", p) + ")";
    }

    /** A schedule multiplies lr, so d·lr (as torch's LR schedulers do with the official code). */
    @Override public boolean followsSchedule() { return true; }

    @Override public String toString() { return name(); }

    @Override public OptimizerState init(ParameterLayout layout, DataType type) {
        OptimizerState s = new OptimizerState(layout, type);
        s.addTensor("s");
        s.addTensor("p0");
        if (beta1 > 0) s.addTensor("exp_avg");
        s.addTensor("exp_avg_sq");
        s.setScalar("d", d0).setScalar("d_max", d0).setScalar("d_numerator", 0).setScalar("d_hat", 0).setScalar("d_denom", 0).setScalar("k", 0);
        return s;
    }

    @Override public StepResult step(StepContext ctx, OptimizerState state) {
        List<ParameterTensor> tensors = state.layout().tensors();
        INDArray x = ctx.parameters(), s = state.tensor("s"), p0 = state.tensor("p0"), v = state.tensor("exp_avg_sq");
        double k = state.scalar("k"), d = state.scalar("d"), dMax = state.scalar("d_max");
        double bc = useBiasCorrection ? Math.sqrt(1 - Math.pow(beta2, k + 1)) / (1 - Math.pow(beta1, k + 1)) : 1;
        double dlr = d * lr * ctx.lrFactor() * bc;  // a schedule multiplies lr, as torch schedulers change group['lr']
        double numerator = state.scalar("d_numerator") * beta3;
        if (k == 0) p0.assign(x);  // the official per-tensor state is created at the first step (an early return leaves x = p0)
        double sCoef = safeguardWarmup ? (d / d0) * d : (d / d0) * dlr;
        // float32 with beta1 > 0: the moments, Σ⟨g, p0 − x⟩ and Σ|s| in one fused pass (tensor.Kernels), the step in a second
        boolean fused = beta1 > 0 && Kernels.appliesTo(ctx.gradient(), x, p0, state.tensor("exp_avg"), v, s);
        INDArray g = null;
        double delta = 0, dDenom = 0;
        if (fused) {
            double[] sums = Kernels.prodigyMoments(ctx.gradient(), x, decouple ? 0 : weightDecay, p0, state.tensor("exp_avg"), v, s,
                    beta1, d * (1 - beta1), beta2, d * d * (1 - beta2), beta3, sCoef);
            delta = (d / d0) * dlr * sums[0];
            dDenom = sums[1];
        } else {
            g = BaseOptimizer.decayedGradient(ctx, decouple ? 0 : weightDecay, state.scratch("g"));
            // delta = Σ_p (d/d0)·dlr·⟨g_p, p0_p − x_p⟩, in layout order
            INDArray diff = state.scratch("diff");
            diff.assign(p0).subi(x);
            for (ParameterTensor t : tensors) delta += (d / d0) * dlr * Vectors.dot(ParameterLayout.view(g, t), ParameterLayout.view(diff, t));
            if (beta1 > 0) {
                INDArray m = state.tensor("exp_avg");
                m.muli(beta1);
                Vectors.axpy(d * (1 - beta1), g, m);
            }
            INDArray gSq = state.scratch("g_sq");
            gSq.assign(g).muli(g);
            v.muli(beta2);
            Vectors.axpy(d * d * (1 - beta2), gSq, v);
            s.muli(beta3);
            Vectors.axpy(sCoef, g, s);
            for (ParameterTensor t : tensors) dDenom += ParameterLayout.view(s, t).norm1Number().doubleValue();
        }
        if (dDenom == 0) {
            // as the official code: return without storing the numerator or moving; k does not advance
            return new StepResult(dlr, Metrics.ordered(Metrics.PRODIGY_D, d, Metrics.PRODIGY_DLR, dlr));
        }
        numerator += delta;
        double dHat = dCoef * numerator / dDenom;
        if (d == d0) d = Math.max(d, dHat);
        dMax = Math.max(dMax, dHat);
        d = Math.min(dMax, d * growthRate);
        state.setScalar("d_numerator", numerator).setScalar("d_denom", dDenom).setScalar("d", d).setScalar("d_max", dMax).setScalar("d_hat", dHat);
        if (fused) {
            Kernels.prodigyStep(x, state.tensor("exp_avg"), v, d * eps, -dlr, weightDecay != 0 && decouple ? -weightDecay * dlr : 0);
            return finish(state, k, d, dHat, numerator, dDenom, dlr);
        }
        INDArray denom = state.scratch("denom");
        Transforms.sqrt(denom.assign(v), false).addi(d * eps);
        if (weightDecay != 0 && decouple) Vectors.axpy(-weightDecay * dlr, x, x);
        if (beta1 > 0) {
            Vectors.axpy(-dlr, denom.rdivi(state.tensor("exp_avg")), x);
        } else {
            Vectors.axpy(-dlr * d, denom.rdivi(g), x);
        }
        return finish(state, k, d, dHat, numerator, dDenom, dlr);
    }

    private static StepResult finish(OptimizerState state, double k, double d, double dHat, double numerator, double dDenom, double dlr) {
        state.setScalar("k", k + 1);
        Map<String, Double> diag = new LinkedHashMap<>();
        diag.put(Metrics.PRODIGY_D, d);
        diag.put(Metrics.PRODIGY_D_HAT, dHat);
        diag.put(Metrics.PRODIGY_D_NUMERATOR, numerator);
        diag.put(Metrics.PRODIGY_D_DENOM, dDenom);
        diag.put(Metrics.PRODIGY_DLR, dlr);
        return new StepResult(dlr, diag);
    }
}
