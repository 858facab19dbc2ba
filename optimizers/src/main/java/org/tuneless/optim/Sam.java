package org.tuneless.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.metrics.Metrics;
import org.tuneless.nn.Network;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.ParameterTensor;
import org.tuneless.tensor.Vectors;

/**
 * Sharpness-Aware Minimization (Foret, Kleiner, Mobahi &amp; Neyshabur, arXiv 2010.01412, eq. 2 and Algorithm 1) around
 * any base optimizer: the gradient is taken at the worst point of a ρ-ball, to first order
 * <pre>
 *   ε = ρ·g/(‖g‖ + 10⁻¹²) ;  g_SAM = ∇f(w + ε) ;  the base steps w with g_SAM
 * </pre>
 * and the adaptive variant ASAM (Kwon, Kim, Park &amp; Choi, arXiv 2102.11600, eq. 9 with T_w = |w| + η):
 * <pre>
 *   ε = ρ·T_w²·g/(‖T_w·g‖ + 10⁻¹²)      (element-wise products)
 * </pre>
 * The 10⁻¹² follows the reference PyTorch implementation (davda54/sam, whose {@code adaptive=True} is η = 0); ASAM's
 * authors use η = 0.01. Costs one extra gradient per step, evaluated at the trial point w + ε through
 * {@link org.tuneless.objective.Objective#withParameters} on the same batch (the live parameters never move by hand).
 * The base's weight decay, if any, is taken at w (as in the reference code, where the decay is the base optimizer's).
 * Norms are global, summed over the tensors in layout order.
 *
 * <p>State: child {@code base} (the base's state). Reports the base's learning rate and diagnostics, plus
 * {@code sam.grad_norm} (‖g‖ at w), {@code sam.perturbation_norm} (‖ε‖) and {@code sam.perturbed_loss} (f(w + ε)).
 * Capabilities and schedules are the base's.
 */
public final class Sam implements Optimizer {

    /** The name of the base optimizer's state inside SAM's state. */
    public static final String BASE = "base";

    private static final double TINY = 1e-12;

    private final Optimizer base;
    private final double rho;
    private final boolean adaptive;
    private final double eta;

    /** SAM with ρ = 0.05 (the paper's most common value). */
    public Sam(Optimizer base) { this(base, 0.05, false, 0.01); }

    public Sam(Optimizer base, double rho, boolean adaptive, double eta) {
        if (base == null) throw new IllegalArgumentException("SAM: needs a base optimizer (sgd, momentum, adam, …)");
        this.base = base;
        this.rho = Hyperparameters.positive("SAM", "rho", rho);
        this.adaptive = adaptive;
        this.eta = Hyperparameters.nonNegative("SAM", "eta", eta);
    }

    public Optimizer base() { return base; }

    @Override public String name() {
        StringBuilder s = new StringBuilder(adaptive ? "asam(" : "sam(").append(base.name()).append(", rho=").append(BaseOptimizer.fmt(rho));
        if (adaptive && eta != 0.01) s.append(", eta=").append(BaseOptimizer.fmt(eta));
        return s.append(')').toString();
    }

    @Override public String toString() { return name(); }

    @Override public OptimizerState init(ParameterLayout layout, DataType type) {
        OptimizerState s = new OptimizerState(layout, type);
        s.addChild(BASE, base.init(layout, type));
        return s;
    }

    @Override public void prepare(Network network, long seed) { base.prepare(network, seed); }

    @Override public boolean followsSchedule() { return base.followsSchedule(); }

    @Override public StepResult step(StepContext ctx, OptimizerState state) {
        List<ParameterTensor> tensors = state.layout().tensors();
        INDArray w = ctx.parameters(), g = ctx.gradient();
        INDArray eps = state.scratch("eps");
        double gNorm = globalNorm(g, tensors);
        double scale;
        if (adaptive) {
            INDArray tw = state.scratch("t_w");
            Transforms.abs(tw.assign(w), false).addi(eta);    // T_w = |w| + η
            eps.assign(g).muli(tw);                            // T_w·g
            scale = rho / (globalNorm(eps, tensors) + TINY);
            eps.muli(tw).muli(scale);                          // ε = ρ·T_w²·g/‖T_w·g‖
        } else {
            scale = rho / (gNorm + TINY);
            eps.assign(g).muli(scale);                         // ε = ρ·g/‖g‖
        }
        double epsNorm = globalNorm(eps, tensors);
        INDArray point = state.scratch("point").assign(w).addi(eps);
        INDArray gSam = state.scratch("g_sam");
        double perturbedLoss = ctx.objective().withParameters(point, () -> ctx.objective().lossAndGradient(gSam));
        StepResult r = base.step(ctx.withGradient(gSam, ctx.loss()), state.child(BASE));
        Map<String, Double> diag = new LinkedHashMap<>(r.diagnostics());
        diag.put(Metrics.SAM_GRAD_NORM, gNorm);
        diag.put(Metrics.SAM_PERTURBATION_NORM, epsNorm);
        diag.put(Metrics.SAM_PERTURBED_LOSS, perturbedLoss);
        return new StepResult(r.learningRate(), diag);
    }

    private static double globalNorm(INDArray v, List<ParameterTensor> tensors) {
        double sq = 0;
        for (ParameterTensor t : tensors) {
            INDArray p = ParameterLayout.view(v, t);
            sq += Vectors.dot(p, p);
        }
        return Math.sqrt(sq);
    }

    @Override public <T> Optional<T> capability(Class<T> type, OptimizerState state) { return base.capability(type, state.child(BASE)); }
}
