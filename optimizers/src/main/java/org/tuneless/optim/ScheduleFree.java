package org.tuneless.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.metrics.Metrics;
import org.tuneless.tensor.ParameterLayout;

/**
 * What the Schedule-Free optimizers (Defazio et al., "The Road Less Scheduled", arXiv 2405.15682) share: the three
 * sequences z (the base SGD/Adam sequence), x (the weighted average of the z's, the point to evaluate at) and
 * y = (1−β)·z + β·x (the point where gradients are taken), with
 * <pre>
 *   lr_t = lr·min(1, (k+1)/warmupSteps) ;  lr_max = max(lr_max, lr_t)
 *   weight = (k+1)^r·lr_max^weightLrPower ;  weight_sum += weight ;  c = weight/weight_sum (0 if weight_sum = 0)
 *   z ← z − lr_t·ĝ ;  x ← (1−c)·x + c·z ;  y ← β·x + (1−β)·z
 * </pre>
 * (arXiv 2405.15682, Algorithm 1 and its discussion of warmup for the weights), ĝ being the base direction at y (the gradient for SGD, the
 * Adam-normalized gradient for AdamW). With the defaults (no warmup, r = 0) c = 1/(k+1): x is the uniform average.
 *
 * <p>The <em>fast</em> form ({@link ScheduleFreeSgd}, {@link ScheduleFreeAdamW}) keeps y in the live parameters and only
 * z in the state, as the official implementation ({@code schedulefree} 1.4.1) does:
 * y ← lerp(y, z, c), y ← y + lr_t·(β(1−c) − 1)·ĝ, z ← z − lr_t·ĝ, and x is recovered for evaluation as
 * lerp(y, z, 1 − 1/β) = (y − (1−β)·z)/β. The <em>reference</em> form ({@link ScheduleFreeSgdReference},
 * {@link ScheduleFreeAdamWReference}) stores x, y and z explicitly; the two agree up to rounding.
 * {@code lerp} is torch.lerp's two-branch formula, a + w·(b−a) if |w| &lt; 0.5 else b − (b−a)·(1−w), reproduced
 * because it matters bit-wise (at the first step c = 1 gives y = z exactly).
 *
 * <p>There is no train/eval mode switch: the live parameters always hold y (the official code's train mode), and the
 * point to evaluate at is offered as the {@link EvaluationPoint} capability ("x (schedule-free average)"); evaluating
 * there goes through {@code Objective.withParameters}, which restores y bit for bit. Before the first step there is no
 * z yet and no evaluation point (the live parameters are x = y = z).
 *
 * <p>First step with a zero gradient: nothing moves (c = 1, y = z), but k = 1 and weight_sum advance, so the next c
 * is 1/2, as the official implementation does.
 *
 * <p>Reports lr_t (the learning rate with warmup) and diagnostics {@code sf.c}, {@code sf.weight_sum},
 * {@code sf.lr_max}. State: tensor {@code z} (the reference form also {@code x} and {@code y}), the direction's tensors,
 * scalars {@code k}, {@code weight_sum}, {@code lr_max} (−1 before the first step). See docs/methods.md §9.7.
 */
abstract class ScheduleFree implements Optimizer {

    /** How the evaluation point is described in evaluation records and run.json. */
    public static final String EVALUATION_POINT = "x (schedule-free average)";

    protected final double lr;
    protected final double beta;
    protected final double weightDecay;
    protected final long warmupSteps;
    protected final double r;
    protected final double weightLrPower;
    private final boolean reference;

    ScheduleFree(String owner, double lr, double beta, double weightDecay, long warmupSteps, double r, double weightLrPower, boolean reference) {
        this.lr = Hyperparameters.nonNegative(owner, "lr", lr);
        if (!(beta > 0 && beta < 1)) {
            throw new IllegalArgumentException(owner + ": momentum (β) = " + beta + " must lie strictly between 0 and 1; typical value 0.9");
        }
        this.beta = beta;
        this.weightDecay = Hyperparameters.nonNegative(owner, "weight decay", weightDecay);
        if (warmupSteps < 0) throw new IllegalArgumentException(owner + ": warmup steps = " + warmupSteps + " must be ≥ 0");
        this.warmupSteps = warmupSteps;
        this.r = Hyperparameters.nonNegative(owner, "r", r);
        this.weightLrPower = Hyperparameters.nonNegative(owner, "weight lr power", weightLrPower);
        this.reference = reference;
    }

    /** Adds the base direction's tensors (AdamW: {@code exp_avg_sq}). */
    abstract void initDirection(OptimizerState state);

    /**
     * ĝ at y = {@code ctx.parameters()} for step k (0-based), weight decay included; may be the gradient itself or a
     * scratch vector of {@code state}. Must not modify the gradient or y.
     */
    abstract INDArray direction(StepContext ctx, OptimizerState state, double k);

    /** The short name, e.g. {@code sf-sgd}. */
    abstract String label();

    /** Extra name parts of the direction (AdamW: beta2, eps). */
    void nameParts(java.util.List<String> parts) {}

    @Override public String name() {
        java.util.List<String> p = new java.util.ArrayList<>();
        p.add("lr=" + BaseOptimizer.fmt(lr));
        if (beta != 0.9) p.add("beta=" + BaseOptimizer.fmt(beta));
        nameParts(p);
        if (weightDecay != 0) p.add("wd=" + BaseOptimizer.fmt(weightDecay));
        if (warmupSteps != 0) p.add("warmup=" + warmupSteps);
        if (r != 0) p.add("r=" + BaseOptimizer.fmt(r));
        if (weightLrPower != 2) p.add("weight_lr_power=" + BaseOptimizer.fmt(weightLrPower));
        return label() + (reference ? "-reference" : "") + "(" + String.join(", ", p) + ")";
    }

    @Override public String toString() { return name(); }

    @Override public OptimizerState init(ParameterLayout layout, DataType type) {
        OptimizerState s = new OptimizerState(layout, type);
        s.addTensor("z");
        if (reference) {
            s.addTensor("x");
            s.addTensor("y");
        }
        initDirection(s);
        s.setScalar("k", 0).setScalar("weight_sum", 0).setScalar("lr_max", -1);
        return s;
    }

    /** The learning rate of step k (0-based): lr·(k+1)/warmupSteps during the warmup, lr after. */
    double scheduledLr(double k) {
        double sched = k < warmupSteps ? (k + 1) / warmupSteps : 1.0;
        return lr * sched;
    }

    @Override public StepResult step(StepContext ctx, OptimizerState state) {
        INDArray y = ctx.parameters(), z = state.tensor("z");
        double k = state.scalar("k");
        double lrT = scheduledLr(k);
        double lrMax = Math.max(lrT, state.scalar("lr_max"));
        double weight = Math.pow(k + 1, r) * Math.pow(lrMax, weightLrPower);
        double weightSum = state.scalar("weight_sum") + weight;
        double c = weightSum == 0 ? 0 : weight / weightSum;
        if (k == 0) {  // the official per-tensor state is created at the first step: z = x = y = the parameters
            z.assign(y);
            if (reference) {
                state.tensor("x").assign(y);
                state.tensor("y").assign(y);
            }
        }
        if (!reference && fusedStep(ctx, state, k, c, lrT)) {
            state.setScalar("k", k + 1).setScalar("weight_sum", weightSum).setScalar("lr_max", lrMax);
            return new StepResult(lrT, diagnostics(c, weightSum, lrMax));
        }
        INDArray g = direction(ctx, state, k);
        INDArray tmp = state.scratch("sf_tmp");
        if (reference) {
            INDArray x = state.tensor("x"), yy = state.tensor("y");
            axpy(-lrT, g, z, tmp);                                  // z ← z − lr·ĝ
            lerp(x, z, c, tmp);                                     // x ← (1−c)·x + c·z
            yy.assign(x).muli(beta);                                // y ← β·x + (1−β)·z
            tmp.assign(z).muli(1 - beta);
            yy.addi(tmp);
            y.assign(yy);
        } else {
            lerp(y, z, c, tmp);                                     // y ← lerp(y, z, c)
            axpy(lrT * (beta * (1 - c) - 1), g, y, tmp);           // y ← y + lr·(β(1−c) − 1)·ĝ
            axpy(-lrT, g, z, tmp);                                  // z ← z − lr·ĝ
        }
        state.setScalar("k", k + 1).setScalar("weight_sum", weightSum).setScalar("lr_max", lrMax);
        return new StepResult(lrT, diagnostics(c, weightSum, lrMax));
    }

    private static Map<String, Double> diagnostics(double c, double weightSum, double lrMax) {
        Map<String, Double> diag = new LinkedHashMap<>();
        diag.put(Metrics.SF_C, c);
        diag.put(Metrics.SF_WEIGHT_SUM, weightSum);
        diag.put(Metrics.SF_LR_MAX, lrMax);
        return diag;
    }

    /**
     * The fast form's whole step (direction, y ← lerp(y, z, c) + lr·(β(1−c) − 1)·ĝ, z ← z − lr·ĝ) as one fused pass, if
     * the base has a kernel for it ({@code tensor.Kernels}, float32); false to take the op-by-op path.
     */
    boolean fusedStep(StepContext ctx, OptimizerState state, double k, double c, double lrT) { return false; }

    /**
     * x, the point to evaluate at, in a scratch vector of {@code state}: lerp(y, z, 1 − 1/β) from the live y
     * (the official {@code eval()}), or the stored x of the reference form. Null before the first step.
     */
    public INDArray evaluationPoint(OptimizerState state, INDArray parameters) {
        if (state.scalar("k") == 0) return null;
        if (reference) return state.tensor("x");
        INDArray x = state.scratch("sf_x");
        x.assign(parameters);
        lerp(x, state.tensor("z"), 1 - 1 / beta, state.scratch("sf_tmp"));
        return x;
    }

    /** {@link EvaluationPoint}: x, once a step was taken. */
    @Override public <T> Optional<T> capability(Class<T> type, OptimizerState state) {
        if (type == EvaluationPoint.class && state.scalar("k") > 0) {
            return Optional.of(type.cast(EvaluationPoint.of(EVALUATION_POINT, this::evaluationPoint)));
        }
        return Optional.empty();
    }

    /** a ← torch.lerp(a, b, w) = a + w·(b − a) if |w| &lt; 0.5, else b − (b − a)·(1 − w); {@code diff} is a work vector. */
    static void lerp(INDArray a, INDArray b, double w, INDArray diff) {
        diff.assign(b).subi(a);
        if (Math.abs(w) < 0.5) {
            a.addi(diff.muli(w));
        } else {
            a.assign(b).subi(diff.muli(1 - w));
        }
    }

    /** y ← y + α·x, as torch's {@code add_(x, alpha=α)} (the product rounded, then added); {@code tmp} is a work vector. */
    static void axpy(double alpha, INDArray x, INDArray y, INDArray tmp) {
        y.addi(tmp.assign(x).muli(alpha));
    }
}
