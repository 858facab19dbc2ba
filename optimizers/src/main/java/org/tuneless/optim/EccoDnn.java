package org.tuneless.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.metrics.Metrics;
import org.tuneless.objective.ReluInputs;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.ParameterTensor;
import org.tuneless.tensor.Vectors;

/**
 * ECCO-DNN (Fiscko et al., arXiv 2310.13901): gradient flow ẇ = −Z(w)⁻¹∇f(w) discretized by Forward Euler with a step
 * Δt chosen per tensor so that the local-truncation-error estimate stays within the tolerance η. Semantics of the
 * official code (arXiv 2310.13901; docs/methods.md §1.2): per tensor, q = g⊙(g − g_prev)/Δt_prev, Z⁻¹ = √max(q, 1), v = Z⁻¹g,
 * Δt = min(2η/‖v_prev − v‖_∞, 0.5), w ← w − Δt·v; the first step is w ← w − α₀·g.
 *
 * <p>The activation limiter (on when the objective offers {@link ReluInputs}, as a network's loss does) shrinks a layer's
 * step so that its pre-activations a = x·W + b do not cross zero: with Δa = x·ΔW + Δb the change the step would make,
 * δ = min(1/|min(Δa⊘a)|, 1) and the layer moves by max(δ·Δt, 1e-6)·v.
 *
 * <p>Two modes. Default: Δt_prev is each tensor's own previous step and the limiter only counts pre-activations that
 * would change sign. {@code referenceCompat}: the official code's quirks, to reproduce its published behaviour — one
 * Δt_prev scalar shared by all tensors (overwritten after each tensor in layout order) and δ from the most negative
 * ratio even when nothing crosses zero.
 *
 * <p>Diagnostics make the active constraint visible: {@code ecco.dt/NAME} per tensor, {@code ecco.cap_fraction} (the
 * share of tensors whose Δt hit the hard 0.5 cap), {@code ecco.dt_min}, {@code ecco.limiter} (the smallest δ). The
 * reported learning rate is the largest Δt applied.
 */
public final class EccoDnn implements Optimizer {

    /** The official code's hard cap on Δt. */
    public static final double STEP_CAP = 0.5;
    private static final double LIMITED_STEP_FLOOR = 1e-6;

    private final double eta;
    private final double alpha0;
    private final boolean referenceCompat;
    private final boolean limiter;
    private final double stepCap;

    public EccoDnn(double eta) { this(eta, 0.01, false, true); }

    public EccoDnn(double eta, double alpha0, boolean referenceCompat, boolean limiter) {
        this(eta, alpha0, referenceCompat, limiter, STEP_CAP);
    }

    /**
     * @param eta             LTE tolerance η (default 0.3 in the official code; the paper varies it over 0.1–100)
     * @param alpha0          first step α₀ (default 0.01)
     * @param referenceCompat reproduce the official code's shared step scalar and limiter sign logic
     * @param limiter         limit steps of dense layers that feed a ReLU (needs a network objective)
     * @param stepCap         the hard cap on Δt ({@link #STEP_CAP} = 0.5 in the official code); 0 or +∞ = no cap, so
     *                        only LTE control sets the step (when ‖v_prev − v‖_∞ = 0 the previous Δt is kept)
     */
    public EccoDnn(double eta, double alpha0, boolean referenceCompat, boolean limiter, double stepCap) {
        if (!(stepCap >= 0) ) throw new IllegalArgumentException("ECCO-DNN: stepCap = " + stepCap + " must be ≥ 0 (0 or infinity = no cap; the official cap is 0.5)");
        this.stepCap = stepCap == 0 ? Double.POSITIVE_INFINITY : stepCap;
        this.eta = Hyperparameters.positive("ECCO-DNN", "eta (LTE tolerance)", eta);
        this.alpha0 = Hyperparameters.positive("ECCO-DNN", "alpha0 (initial step)", alpha0);
        this.referenceCompat = referenceCompat;
        this.limiter = limiter;
    }

    @Override public String name() {
        return "ecco(eta=" + BaseOptimizer.fmt(eta) + (alpha0 != 0.01 ? ", alpha0=" + BaseOptimizer.fmt(alpha0) : "")
                + (referenceCompat ? ", reference" : "") + (limiter ? "" : ", no-limiter")
                + (stepCap == STEP_CAP ? "" : stepCap == Double.POSITIVE_INFINITY ? ", no-cap" : ", cap=" + BaseOptimizer.fmt(stepCap)) + ")";
    }

    /**
     * State: {@code g_prev}, {@code v_prev} (the previous gradient and Z⁻¹g), scalars {@code t} (steps taken),
     * {@code dt_prev/NAME} (each tensor's previous Δt) and, in reference mode, {@code dt_prev} (the shared scalar).
     */
    @Override public OptimizerState init(ParameterLayout layout, DataType type) {
        OptimizerState s = new OptimizerState(layout, type);
        s.addTensor("g_prev");
        s.addTensor("v_prev");
        s.setScalar("t", 0);
        for (ParameterTensor t : layout.tensors()) s.setScalar(DT_PREV + t.name(), 0);
        if (referenceCompat) s.setScalar("dt_prev", 0);
        return s;
    }

    private static final String DT_PREV = "dt_prev/";

    @Override public StepResult step(StepContext ctx, OptimizerState state) {
        INDArray w = ctx.parameters(), g = ctx.gradient();
        ParameterLayout layout = ctx.layout();
        List<ParameterTensor> tensors = layout.tensors();
        INDArray prevGradient = state.tensor("g_prev"), prevV = state.tensor("v_prev");
        INDArray v = state.scratch("v"), scratch = state.scratch("scratch");
        boolean started = state.scalar("t") > 0;
        Map<String, Double> diag = new LinkedHashMap<>();
        double[] dt = new double[tensors.size()];
        int capped = 0;
        for (int i = 0; i < tensors.size(); i++) {
            ParameterTensor t = tensors.get(i);
            INDArray gi = ParameterLayout.view(g, t), vi = ParameterLayout.view(v, t);
            if (!started) {
                dt[i] = alpha0;  // first call: Z⁻¹ = I, Δt₀ = α₀
                vi.assign(gi);
            } else {
                double dtPrev = referenceCompat ? state.scalar("dt_prev") : state.scalar(DT_PREV + t.name());
                // q = g ⊙ (g − g_prev)/Δt_prev ; Z⁻¹ = √max(q, 1) ; v = Z⁻¹ g   (official ecco_dnn.py)
                // and ‖v_prev − v‖_∞ for LTE control: one pass in float32 (tensor.Kernels), else the ND4J ops below
                INDArray gPrevI = ParameterLayout.view(prevGradient, t), vPrevI = ParameterLayout.view(prevV, t);
                java.util.OptionalDouble fused = org.tuneless.tensor.Kernels.eccoPrecondition(gi, gPrevI, vPrevI, vi, dtPrev);
                double inf;
                if (fused.isPresent()) {
                    inf = fused.getAsDouble();
                } else {
                    INDArray q = ParameterLayout.view(scratch, t);
                    q.assign(gi).subi(gPrevI).muli(gi).divi(dtPrev);
                    Transforms.max(q, 1.0, false);
                    Transforms.sqrt(q, false);
                    vi.assign(gi).muli(q);
                    inf = q.assign(vPrevI).subi(vi).amaxNumber().doubleValue();
                }
                // LTE control: Δt = min(2η/‖v_prev − v‖_∞, 0.5)
                dt[i] = inf == 0 ? (Double.isInfinite(stepCap) ? dtPrev : stepCap) : Math.min(2 * eta / inf, stepCap);
            }
            if (dt[i] >= stepCap) capped++;
            if (referenceCompat) state.setScalar("dt_prev", dt[i]);
        }
        double[] applied = dt.clone();
        double minDelta = 1.0;
        if (limiter && started) {
            Optional<ReluInputs> relus = ctx.objective().capability(ReluInputs.class);
            if (relus.isPresent()) minDelta = limit(relus.get(), layout, v, state.scratch("delta"), applied, dt);
        }
        double maxDt = 0, minDt = Double.POSITIVE_INFINITY;
        for (int i = 0; i < tensors.size(); i++) {
            ParameterTensor t = tensors.get(i);
            INDArray vi = ParameterLayout.view(v, t);
            Vectors.axpy(-applied[i], vi, ParameterLayout.view(w, t));
            maxDt = Math.max(maxDt, applied[i]);
            minDt = Math.min(minDt, applied[i]);
            diag.put(Metrics.perTensor(Metrics.ECCO_DT_PREFIX, t.name()), applied[i]);
            state.setScalar(DT_PREV + t.name(), dt[i]);
        }
        prevGradient.assign(g);
        prevV.assign(v);
        state.setScalar("t", state.scalar("t") + 1);
        diag.put(Metrics.ECCO_DT_MIN, minDt);
        diag.put(Metrics.ECCO_CAP_FRACTION, (double) capped / tensors.size());
        diag.put(Metrics.ECCO_LIMITER, minDelta);
        return new StepResult(maxDt, diag);
    }

    /**
     * Shrinks the steps of the layers feeding each ReLU (at any depth: dense, conv, normalization, inside residual
     * blocks) so their pre-activations do not cross zero; returns the smallest δ. Records the unlimited Δt (for the
     * next LTE estimate) in {@code dt} and the applied steps in {@code applied}.
     */
    private double limit(ReluInputs relus, ParameterLayout layout, INDArray v, INDArray delta, double[] applied, double[] dt) {
        List<ParameterTensor> tensors = layout.tensors();
        for (int i = 0; i < tensors.size(); i++) {
            ParameterLayout.view(delta, tensors.get(i)).assign(ParameterLayout.view(v, tensors.get(i))).muli(-dt[i]);  // Δθ = −Δt·v
        }
        double[] minDelta = {1.0};
        relus.forEach(delta, (idx, a, da) -> {
            double d = limiterFactor(a.castTo(da.dataType()), da, referenceCompat);
            minDelta[0] = Math.min(minDelta[0], d);
            for (int t : idx) applied[t] = Math.min(applied[t], Math.max(d * dt[t], LIMITED_STEP_FLOOR));
        });
        return minDelta[0];
    }

    /**
     * δ of the activation limiter for pre-activations a and their change Δa (docs/methods.md §1.4). Reference mode:
     * δ = min(1/|min(Δa⊘a)|, 1) even when no ratio is negative; default: only sign crossings (negative ratios) count.
     * Entries with a = 0 are ignored.
     */
    public static double limiterFactor(INDArray a, INDArray da, boolean referenceCompat) {
        // min Δa/a over the finite ratios (0/0 and a = 0 have no sign to keep): one pass in float32 (tensor.Kernels)
        java.util.OptionalDouble fused = org.tuneless.tensor.Kernels.minFiniteRatio(da, a);
        double minRatio;
        if (fused.isPresent()) {
            minRatio = fused.getAsDouble();
        } else {
            INDArray ratio = da.div(a);
            BooleanIndexing.replaceWhere(ratio, Double.POSITIVE_INFINITY, Conditions.isNan());       // 0/0
            BooleanIndexing.replaceWhere(ratio, Double.POSITIVE_INFINITY, Conditions.isInfinite());  // a = 0: no sign to keep
            minRatio = ratio.minNumber().doubleValue();
        }
        double delta = referenceCompat || minRatio < 0 ? Math.min(1.0 / Math.abs(minRatio), 1.0) : 1.0;
        return Double.isNaN(delta) ? 1.0 : delta;
    }
}
