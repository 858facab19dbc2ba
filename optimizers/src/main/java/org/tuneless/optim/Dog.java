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
 * DoG, "Distance over Gradients" (Ivgi, Hinder & Carmon, arXiv 2302.12022, eq. 1): plain gradient steps
 * x ← x − η_t·g_t with η_t = r̄_t/√G_t, where r̄_t = max(r_ε, max_{i≤t}‖x_i − x_0‖) is the distance travelled from the
 * starting point and G_t = ε + Σ_{i≤t}‖g_i‖². One η for all parameter tensors together (global norms); {@link LDog}
 * is the per-tensor ("layer-wise") variant. See docs/methods.md §9.1.
 *
 * <p>This reproduces the official implementation ({@code dog.DoG}, dog-optimizer 1.0.3), which differs from the
 * formula in the paper and its README in four ways, all kept here:
 * <ul>
 *   <li>r_ε stays inside the max at every step (the paper has r̄_0 = r_ε and r̄_t = max_{i≤t}‖x_i − x_0‖);</li>
 *   <li>ε is added to G once, at the first step;</li>
 *   <li>r_ε = repsRel·(1 + ‖x_0‖) (the paper's recommended choice);</li>
 *   <li>weight decay is coupled (g ← g + λx) and applied <em>before</em> G is accumulated, so the decay term enters
 *       G, as the official implementation does.</li>
 * </ul>
 * r̄ is measured at the current point, before the update. With {@code initEta} given, η_1 = initEta and r_ε = 0 (as
 * the official constructor sets reps_rel = 0), so r̄ = ‖x_1 − x_0‖ from the second step on.
 *
 * <p>First step with a zero gradient: G = ε, η = r_ε/√ε (0.0273… from (1, 1, 1)); nothing moves, the next step
 * proceeds normally. With ε = 0 and a zero first gradient G = 0: the official code fails an assertion; here an
 * {@link IllegalStateException}, with the state untouched.
 *
 * <p>The authors call iterate averaging crucial: wrap DoG in {@link Averaged} (polynomial decay, γ = 8) and evaluate at
 * its {@link EvaluationPoint}. Reports η as the learning rate; diagnostics {@code dog.eta}, {@code dog.rbar},
 * {@code dog.G}. State: tensor {@code x0}, scalars {@code t} (steps taken), {@code rbar}, {@code G}, {@code eta}
 * (LDoG: {@code rbar/NAME}, {@code G/NAME}, {@code eta/NAME} per tensor).
 */
public class Dog implements Optimizer {

    protected final double lr;
    protected final double repsRel;
    protected final double eps;
    protected final double initEta;
    protected final double weightDecay;
    private final boolean perTensor;

    /** Official defaults: repsRel 1e-6, eps 1e-8, no initEta, no weight decay, lr 1. */
    public Dog() { this(1e-6, 1e-8, Double.NaN, 0, 1.0); }

    /**
     * @param repsRel     r_ε/(1 + ‖x_0‖) (> 0; ignored and set to 0 when initEta is given)
     * @param eps         ε ≥ 0 added once to G
     * @param initEta     the first step size, or NaN for none (then η_1 = r_ε/√G_1)
     * @param weightDecay coupled L2 decay λ ≥ 0, added to the gradient before G
     * @param lr          a factor on η (the authors recommend leaving it at 1)
     */
    public Dog(double repsRel, double eps, double initEta, double weightDecay, double lr) {
        this(repsRel, eps, initEta, weightDecay, lr, false, "DoG");
    }

    Dog(double repsRel, double eps, double initEta, double weightDecay, double lr, boolean perTensor, String owner) {
        this.lr = Hyperparameters.positive(owner, "lr", lr);
        this.eps = Hyperparameters.nonNegative(owner, "eps", eps);
        this.weightDecay = Hyperparameters.nonNegative(owner, "weight decay", weightDecay);
        if (Double.isNaN(initEta)) {
            this.repsRel = Hyperparameters.positive(owner, "reps_rel", repsRel);
        } else {
            Hyperparameters.positive(owner, "init_eta", initEta);
            this.repsRel = 0;  // as the official constructor does when init_eta is given
        }
        this.initEta = initEta;
        this.perTensor = perTensor;
    }

    @Override public String name() {
        StringBuilder s = new StringBuilder(perTensor ? "ldog(" : "dog(");
        List<String> parts = new java.util.ArrayList<>();
        if (Double.isNaN(initEta) && repsRel != 1e-6) parts.add("reps_rel=" + BaseOptimizer.fmt(repsRel));
        if (!Double.isNaN(initEta)) parts.add("init_eta=" + BaseOptimizer.fmt(initEta));
        if (eps != 1e-8) parts.add("eps=" + BaseOptimizer.fmt(eps));
        if (weightDecay != 0) parts.add("wd=" + BaseOptimizer.fmt(weightDecay));
        if (lr != 1) parts.add("lr=" + BaseOptimizer.fmt(lr));
        return s.append(String.join(", ", parts)).append(')').toString();
    }

    @Override public String toString() { return name(); }

    @Override public OptimizerState init(ParameterLayout layout, DataType type) {
        OptimizerState s = new OptimizerState(layout, type);
        s.addTensor("x0");
        s.setScalar("t", 0);
        for (String g : groups(layout)) {
            s.setScalar(key("rbar", g), 0).setScalar(key("G", g), 0).setScalar(key("eta", g), 0);
        }
        return s;
    }

    /** Group names: "" for DoG (one group), the tensor names for LDoG. */
    private List<String> groups(ParameterLayout layout) {
        return perTensor ? layout.tensors().stream().map(ParameterTensor::name).toList() : List.of("");
    }

    private static String key(String scalar, String group) { return group.isEmpty() ? scalar : scalar + "/" + group; }

    @Override public StepResult step(StepContext ctx, OptimizerState state) {
        ParameterLayout layout = state.layout();
        INDArray x = ctx.parameters();
        INDArray x0 = state.tensor("x0");
        boolean first = state.scalar("t") == 0;
        // coupled decay, before G (the official code adds it to p.grad in place)
        INDArray g = BaseOptimizer.decayedGradient(ctx, weightDecay, state.scratch("g"));
        List<ParameterTensor> tensors = layout.tensors();
        int n = tensors.size();
        // per-tensor ‖g_p‖² and, for r̄, ‖x_p‖ (first step) or ‖x_p − x0_p‖, in layout order
        double[] gSq = new double[n], dist = new double[n];
        INDArray diff = null;
        if (!first) {
            diff = state.scratch("diff");
            diff.assign(x).subi(x0);
        }
        INDArray distFrom = first ? x : diff;
        for (int i = 0; i < n; i++) {
            ParameterTensor t = tensors.get(i);
            INDArray gp = ParameterLayout.view(g, t), dp = ParameterLayout.view(distFrom, t);
            gSq[i] = Vectors.dot(gp, gp);
            dist[i] = Math.sqrt(Vectors.dot(dp, dp));
        }
        List<String> groups = groups(layout);
        double[] rbar = new double[groups.size()], bigG = new double[groups.size()], eta = new double[groups.size()];
        for (int k = 0; k < groups.size(); k++) {
            double sumSq = 0, distSq = 0;
            int from = perTensor ? k : 0, to = perTensor ? k + 1 : n;
            for (int i = from; i < to; i++) {
                sumSq += gSq[i];
                distSq += dist[i] * dist[i];
            }
            // DoG: the norm of the per-tensor norms (torch.stack([...]).norm()); LDoG: the tensor's own norm
            double d = perTensor ? dist[from] : Math.sqrt(distSq);
            String grp = groups.get(k);
            if (first) {
                rbar[k] = repsRel * (1 + d);
                bigG[k] = sumSq + eps;
            } else {
                rbar[k] = Math.max(state.scalar(key("rbar", grp)), d);
                bigG[k] = state.scalar(key("G", grp)) + sumSq;
            }
            if (!(bigG[k] > 0)) {
                throw new IllegalStateException((perTensor ? "LDoG" : "DoG") + ": the accumulated squared gradient norm G is "
                        + bigG[k] + (grp.isEmpty() ? "" : " for tensor " + grp) + " (a zero gradient with eps = 0); use eps > 0");
            }
            eta[k] = lr * rbar[k] / Math.sqrt(bigG[k]);
            if (first && !Double.isNaN(initEta)) eta[k] = initEta;
        }
        if (first) x0.assign(x);
        for (int k = 0; k < groups.size(); k++) {
            String grp = groups.get(k);
            state.setScalar(key("rbar", grp), rbar[k]).setScalar(key("G", grp), bigG[k]).setScalar(key("eta", grp), eta[k]);
        }
        state.setScalar("t", state.scalar("t") + 1);
        Map<String, Double> diag = new LinkedHashMap<>();
        if (!perTensor) {
            Vectors.axpy(-eta[0], g, x);
            diag.put(Metrics.DOG_ETA, eta[0]);
            diag.put(Metrics.DOG_RBAR, rbar[0]);
            diag.put(Metrics.DOG_G, bigG[0]);
            return new StepResult(eta[0], diag);
        }
        double max = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            ParameterTensor t = tensors.get(k);
            Vectors.axpy(-eta[k], ParameterLayout.view(g, t), ParameterLayout.view(x, t));
            max = Math.max(max, eta[k]);
            min = Math.min(min, eta[k]);
        }
        diag.put(Metrics.LDOG_ETA_MAX, max);
        diag.put(Metrics.LDOG_ETA_MIN, min);
        for (int k = 0; k < n; k++) diag.put(Metrics.perTensor(Metrics.LDOG_ETA_PREFIX, groups.get(k)), eta[k]);
        return new StepResult(max, diag);
    }
}
