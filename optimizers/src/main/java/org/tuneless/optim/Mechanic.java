package org.tuneless.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.curvature.Preconditioned;
import org.tuneless.metrics.Metrics;
import org.tuneless.nn.Network;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.ParameterTensor;
import org.tuneless.tensor.Vectors;

/**
 * Mechanic (Cutkosky, Defazio & Mehta, arXiv 2306.00144, the MECHANIC algorithm and its TUNER): a learning-rate scale s learned
 * online around any base optimizer. The base steps the real parameters x → x' as it would alone (keeping its own
 * state, e.g. Adam's moments), its update u = x' − x is accumulated into Δ, and the parameters are set to
 * x = x_ref + max(Σᵢ sᵢ, 0)·Δ, where x_ref is the point before the first step. The scales sᵢ, one per β in
 * (0.9, 0.99, 0.999, 0.9999, 0.99999, 0.999999), come from a parameter-free online learner on the 1-D losses
 * h_t·s with h = ⟨Δ, g + s_decay·x'·Σs·‖g‖/(‖x'‖ + ε)⟩:
 * <pre>
 *   m = max(β·m, |h|) ;  v = β²·v + h² ;  r = max(0, β·r − s·h) ;  s = (m·s_init/n + r)/(√v + ε)
 * </pre>
 * This reproduces the official PyTorch implementation ({@code mechanic_pytorch.mechanize}, 0.0.1), including where it
 * differs from the paper's JAX/optax code (with which the paper's experiments were run), as the official
 * implementation does: s starts at 0 (optax: s_init), the running max m starts at 1e-6 (not 0) and uses |h| without
 * ε, r uses the unclipped h, ‖x'‖ is the norm of the parameters <em>after</em> the base step, and the scale applied is
 * max(Σs, 0). So the first step moves x by Σs = 9.8148e-07 times the base update (optax: 1e-06). The state is float64
 * whenever the parameters are (the official code uses torch's default dtype). A zero first gradient moves nothing
 * but still sets Σs = 9.8148e-07.
 *
 * See docs/methods.md §9.5.
 *
 * <p>Reports Σs × the base's learning rate as the learning rate; diagnostics {@code mechanic.s_sum},
 * {@code mechanic.h} and the base's own. State: child {@code base} (the base's state), tensor {@code ref}, scalars
 * {@code k} and per β index i: {@code s/i}, {@code r/i}, {@code v/i} (sum of squared products), {@code m/i}
 * (max product). Offers the base's {@link Preconditioned} capability (the scale multiplies the step, not P).
 */
public final class Mechanic implements Optimizer {

    /** The name of the base optimizer's state inside Mechanic's state. */
    public static final String BASE = "base";

    private static final double[] DEFAULT_BETAS = {0.9, 0.99, 0.999, 0.9999, 0.99999, 0.999999};
    /** The official code's initial max_product (not 0). */
    private static final double MAX_PRODUCT_START = 1e-6;

    private final Optimizer base;
    private final double sDecay;
    private final double[] betas;
    private final double sInit;
    private final double eps;

    /** Official defaults: s_decay 0.01, the six betas 1 − 10⁻ⁱ, s_init 1e-8, eps 1e-8. */
    public Mechanic(Optimizer base) { this(base, 0.01, DEFAULT_BETAS, 1e-8, 1e-8); }

    public Mechanic(Optimizer base, double sDecay, double[] betas, double sInit, double eps) {
        String o = "Mechanic";
        if (base == null) throw new IllegalArgumentException(o + ": needs a base optimizer (sgd, adam, …)");
        if (base instanceof Mechanic) throw new IllegalArgumentException(o + ": the base must not itself be Mechanic");
        this.base = base;
        this.sDecay = Hyperparameters.nonNegative(o, "s_decay", sDecay);
        if (betas == null || betas.length == 0) throw new IllegalArgumentException(o + ": betas must be a non-empty list of values in [0, 1)");
        for (int i = 0; i < betas.length; i++) Hyperparameters.unitInterval(o, "betas[" + i + "]", betas[i], "0.9 … 0.999999");
        this.betas = betas.clone();
        this.sInit = Hyperparameters.positive(o, "s_init", sInit);
        this.eps = Hyperparameters.nonNegative(o, "eps", eps);
    }

    public Optimizer base() { return base; }

    @Override public String name() {
        List<String> p = new java.util.ArrayList<>();
        p.add(base.name());
        if (sDecay != 0.01) p.add("s_decay=" + BaseOptimizer.fmt(sDecay));
        if (sInit != 1e-8) p.add("s_init=" + BaseOptimizer.fmt(sInit));
        if (eps != 1e-8) p.add("eps=" + BaseOptimizer.fmt(eps));
        if (!java.util.Arrays.equals(betas, DEFAULT_BETAS)) p.add("betas=" + java.util.Arrays.toString(betas));
        return "mechanic(" + String.join(", ", p) + ")";
    }

    @Override public String toString() { return name(); }

    @Override public OptimizerState init(ParameterLayout layout, DataType type) {
        OptimizerState s = new OptimizerState(layout, type);
        s.addChild(BASE, base.init(layout, type));
        s.addTensor("ref");
        s.setScalar("k", 0);
        for (int i = 0; i < betas.length; i++) {
            s.setScalar("s/" + i, 0).setScalar("r/" + i, 0).setScalar("v/" + i, 0).setScalar("m/" + i, MAX_PRODUCT_START);
        }
        return s;
    }

    @Override public void prepare(Network network, long seed) { base.prepare(network, seed); }

    @Override public StepResult step(StepContext ctx, OptimizerState state) {
        List<ParameterTensor> tensors = state.layout().tensors();
        INDArray x = ctx.parameters();
        INDArray g = state.scratch("g").assign(ctx.gradient());
        INDArray xOld = state.scratch("x_old").assign(x);
        StepResult baseResult = base.step(ctx, state.child(BASE));
        INDArray ref = state.tensor("ref");
        double k = state.scalar("k");
        if (k == 0) ref.assign(xOld);
        int n = betas.length;
        double[] s = new double[n];
        double sSum = 0;
        for (int i = 0; i < n; i++) {
            s[i] = state.scalar("s/" + i);
            sSum += s[i];
        }
        // Δ = (x_old − ref)/(Σs + ε); ‖x'‖ after the base step and ‖g‖, global over the tensors in layout order
        INDArray delta = state.scratch("delta");
        delta.assign(xOld).subi(ref).divi(sSum + eps);
        double xSq = 0, gSq = 0;
        for (ParameterTensor t : tensors) {
            INDArray xp = ParameterLayout.view(x, t), gp = ParameterLayout.view(g, t);
            xSq += Vectors.dot(xp, xp);
            gSq += Vectors.dot(gp, gp);
        }
        double xNorm = Math.sqrt(xSq), gNorm = Math.sqrt(gSq);
        // h = Σ_p ⟨Δ_p, g_p + s_decay·x'_p·Σs·‖g‖/(‖x'‖ + ε)⟩, the factors applied in the official code's order
        INDArray decayed = state.scratch("decayed");
        decayed.assign(x).muli(sDecay).muli(sSum).muli(gNorm).divi(xNorm + eps).addi(g);
        double h = 0;
        for (ParameterTensor t : tensors) h += Vectors.dot(ParameterLayout.view(delta, t), ParameterLayout.view(decayed, t));
        // Δ += u = x' − x_old
        delta.addi(x).subi(xOld);
        double newSum = 0;
        for (int i = 0; i < n; i++) {
            double beta = betas[i];
            double m = Math.max(beta * state.scalar("m/" + i), Math.abs(h));
            double v = beta * beta * state.scalar("v/" + i) + h * h;
            double r = Math.max(0, beta * state.scalar("r/" + i) - s[i] * h);
            double wealth = m * sInit / n + r;
            double si = wealth / (Math.sqrt(v) + eps);
            state.setScalar("m/" + i, m).setScalar("v/" + i, v).setScalar("r/" + i, r).setScalar("s/" + i, si);
            newSum += si;
        }
        // x = ref + Δ·max(Σs, 0)
        x.assign(ref);
        Vectors.axpy(Math.max(newSum, 0), delta, x);
        state.setScalar("k", k + 1);
        Map<String, Double> diag = new LinkedHashMap<>(baseResult.diagnostics());
        diag.put(Metrics.MECHANIC_S_SUM, newSum);
        diag.put(Metrics.MECHANIC_H, h);
        return new StepResult(newSum * baseResult.learningRate(), diag);
    }

    /** The base's {@link Preconditioned} capability (its diagonal P); nothing else. */
    @Override public <T> Optional<T> capability(Class<T> type, OptimizerState state) {
        if (type == Preconditioned.class) return base.capability(type, state.child(BASE));
        return Optional.empty();
    }
}
