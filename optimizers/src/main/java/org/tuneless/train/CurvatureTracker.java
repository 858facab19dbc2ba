package org.tuneless.train;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.curvature.EffectiveLearningRate;
import org.tuneless.curvature.CurvatureBatch;
import org.tuneless.curvature.HessianOperator;
import org.tuneless.curvature.PowerIteration;
import org.tuneless.curvature.SharpnessEstimate;
import org.tuneless.curvature.UpdateCurvature;
import org.tuneless.objective.Batch;
import org.tuneless.nn.NetworkObjective;
import org.tuneless.tensor.ParamRole;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.ParameterTensor;
import org.tuneless.tensor.Workspaces;
import org.tuneless.objective.Objective;
import org.tuneless.curvature.Preconditioned;
import org.tuneless.metrics.Metrics;

/**
 * A trainer plug-in that measures curvature during training and adds it to the run history. Every measurement is taken
 * at the parameters the step started from (w_t, where the recorded loss was), after the optimizer has chosen its
 * update. Columns (empty on steps where nothing was measured):
 * <ul>
 *   <li>{@code sharpness} λmax (power iteration, warm-started from the previous eigenvector), {@code lr_x_sharpness}
 *       η·λmax (the edge of stability is 2), {@code sharpness_hvps};</li>
 *   <li>{@code preconditioned_sharpness} λmax(P^{-1/2}HP^{-1/2}) for optimizers exposing P, and
 *       {@code lr_x_preconditioned_sharpness};</li>
 *   <li>{@code uhu} = uᵀHu for the unit-lr direction u = Δw/η, {@code edge_lr} = 2(−gᵀu)/(uᵀHu) (the largest lr the
 *       quadratic model allows along u; compare with {@code lr}), {@code alignment} cos∠(Δw, top eigenvector) when the
 *       sharpness is measured on the same step, {@code update_angle} ∠(Δw_t, Δw_{t−1}) in radians;</li>
 *   <li>{@code elr/NAME} = η/‖w‖² and {@code angular_update/NAME} = ‖Δw⊥‖/‖w‖ per parameter group (Kodryan et al., arXiv 2209.03695; docs/methods.md §5) — the
 *       ELR is meaningful for scale-invariant groups.</li>
 * </ul>
 * <b>Which point.</b> Curvature is measured at the live parameters, where the optimizer takes its gradient — for
 * Schedule-Free that is y, not the average x its evaluations use, and for an iterate average the live iterate, not the
 * average ({@link org.tuneless.optim.EvaluationPoint}); that is the point whose stability the step size has to respect.
 * The run's config says so ({@code curvature_point}) whenever the evaluation point differs.
 *
 * <p>Cost controls: measure every k steps and/or at chosen steps, on the current batch or a fixed batch (the papers use the
 * first 4,096 training examples), with a power-iteration budget.
 */
public final class CurvatureTracker implements TrainerPlugin {

    /** What to measure. */
    public enum Quantity { SHARPNESS, PRECONDITIONED_SHARPNESS, UPDATE_CURVATURE, ELR }

    private final Set<Quantity> quantities;
    private final long every;
    private final Set<Long> atSteps;
    private final Batch fixedBatch;
    private final PowerIteration power;
    private final List<String> elrGroups;
    private INDArray eigenvector;
    private INDArray preconditionedVector;
    private INDArray previousUpdate;
    private final long memoryBudget;  // -1: measure on the whole batch; 0: the default budget; > 0: bytes
    private final Map<Long, Long> fitted = new java.util.HashMap<>();

    private CurvatureTracker(Builder b) {
        if (b.quantities.isEmpty()) throw new IllegalArgumentException("curvature tracker: nothing to measure; add sharpness(), updateCurvature(), …");
        if (b.every < 0) throw new IllegalArgumentException("curvature tracker: every = " + b.every + " must be ≥ 0 (0 = only at chosen steps)");
        this.quantities = Set.copyOf(b.quantities);
        this.every = b.every;
        this.atSteps = Set.copyOf(b.atSteps);
        this.fixedBatch = b.batch;
        this.power = PowerIteration.builder().tolerance(b.tolerance).maxIterations(b.maxIterations).seed(b.seed).build();
        this.elrGroups = List.copyOf(b.elrGroups);
        this.memoryBudget = b.memoryBudget;
    }

    public static Builder builder() { return new Builder(); }

    private boolean due(long step) {
        return atSteps.contains(step) || (every > 0 && step % every == 0);
    }

    private Objective measuredObjective(TrainingContext ctx, Map<String, Double> metrics) {
        Objective o = ctx.objective();
        if (!(o instanceof NetworkObjective n)) return o;
        Batch batch = fixedBatch != null ? fixedBatch : n.batch();
        if (memoryBudget >= 0 && batch != null) {
            // --curvature-batch auto: the first k examples, k the most whose HVPs fit the budget (planned once per batch size)
            long rows = batch.inputs().size(0);
            long budget = memoryBudget == 0 ? CurvatureBatch.defaultBudget() : memoryBudget;
            long k = fitted.computeIfAbsent(rows, r -> CurvatureBatch.fit(n.network(), n.lossFunction(), r, budget));
            metrics.put(Metrics.CURVATURE_BATCH, (double) k);
            if (k < rows) return new NetworkObjective(n.network(), n.lossFunction(), CurvatureBatch.firstRows(batch, k));
        }
        if (fixedBatch != null) return new NetworkObjective(n.network(), n.lossFunction(), fixedBatch);
        return o;
    }

    @Override public void afterUpdate(TrainingContext ctx, Map<String, Double> metrics) {
        boolean measure = due(ctx.step());
        INDArray update = ctx.update();
        if (!measure) {
            if (quantities.contains(Quantity.UPDATE_CURVATURE)) rememberUpdate(update);
            return;
        }
        double lr = ctx.learningRate();
        // every measurement is at w_t, where the step started: evaluate there without moving the live parameters for good
        ctx.objective().withParameters(ctx.previousParameters(), () -> {
            measureAtPreviousParameters(ctx, metrics, update, lr);
            return null;
        });
        if (quantities.contains(Quantity.ELR)) {
            ParameterLayout layout = ctx.layout();
            INDArray now = ctx.objective().parameters();
            for (String name : groups(layout)) {
                INDArray before = layout.view(ctx.previousParameters(), name);
                INDArray after = layout.view(now, name);
                metrics.put(Metrics.perTensor(Metrics.ELR_PREFIX, name), EffectiveLearningRate.of(lr, before));
                metrics.put(Metrics.perTensor(Metrics.ANGULAR_UPDATE_PREFIX, name), EffectiveLearningRate.angularUpdate(before, after));
            }
        }
    }

    private void measureAtPreviousParameters(TrainingContext ctx, Map<String, Double> metrics, INDArray update, double lr) {
        Objective f = measuredObjective(ctx, metrics);
        if (quantities.contains(Quantity.SHARPNESS)) {
            SharpnessEstimate s;
            try (HessianOperator h = HessianOperator.fixed(f)) {
                s = power.run(h, eigenvector);
            }
            eigenvector = s.eigenvector();
            metrics.put(Metrics.SHARPNESS, s.eigenvalue());
            metrics.put(Metrics.LR_X_SHARPNESS, lr * s.eigenvalue());
            metrics.put(Metrics.SHARPNESS_HVPS, (double) s.hvps());
        }
        if (quantities.contains(Quantity.PRECONDITIONED_SHARPNESS)) {
            Optional<INDArray> diagonal = ctx.optimizer().capability(Preconditioned.class, ctx.optimizerState())
                    .map(Preconditioned::preconditionerDiagonal);
            if (diagonal.isPresent()) {
                SharpnessEstimate s;
                try (HessianOperator h = HessianOperator.fixed(f)) {
                    s = power.run(HessianOperator.preconditioned(h, diagonal.get()), preconditionedVector);
                }
                preconditionedVector = s.eigenvector();
                metrics.put(Metrics.PRECONDITIONED_SHARPNESS, s.eigenvalue());
                metrics.put(Metrics.LR_X_PRECONDITIONED_SHARPNESS, lr * s.eigenvalue());
            }
        }
        if (quantities.contains(Quantity.UPDATE_CURVATURE)) {
            double scale = lr > 0 && Double.isFinite(lr) ? lr : 1.0;
            INDArray u = update.div(scale);
            UpdateCurvature c = UpdateCurvature.of(f, ctx.gradient(), u);
            metrics.put(Metrics.UHU, c.curvature());
            metrics.put(Metrics.EDGE_LR, c.edge());
            if (eigenvector != null && quantities.contains(Quantity.SHARPNESS)) metrics.put(Metrics.ALIGNMENT, UpdateCurvature.cosine(update, eigenvector));
            if (previousUpdate != null) metrics.put(Metrics.UPDATE_ANGLE, UpdateCurvature.angle(update, previousUpdate));
            rememberUpdate(update);
        }
    }

    private List<String> groups(ParameterLayout layout) {
        if (!elrGroups.isEmpty()) return elrGroups;
        List<String> names = new ArrayList<>();
        for (ParameterTensor t : layout.tensors()) if (t.role() == ParamRole.WEIGHT) names.add(t.name());
        return names;
    }

    /** The warm-start vectors of the power iterations and the previous update, when present. */
    @Override public void saveState(org.tuneless.tensor.Snapshot out) {
        if (eigenvector != null) out.putTensor("eigenvector", eigenvector.dup());
        if (preconditionedVector != null) out.putTensor("preconditioned_eigenvector", preconditionedVector.dup());
        if (previousUpdate != null) out.putTensor("previous_update", previousUpdate.dup());
    }

    @Override public void restoreState(org.tuneless.tensor.Snapshot in) {
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            eigenvector = in.has("eigenvector") ? in.tensor("eigenvector", -1).dup() : null;
            preconditionedVector = in.has("preconditioned_eigenvector") ? in.tensor("preconditioned_eigenvector", -1).dup() : null;
            previousUpdate = in.has("previous_update") ? in.tensor("previous_update", -1).dup() : null;
        }
    }

    private void rememberUpdate(INDArray update) {
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            if (previousUpdate == null || previousUpdate.length() != update.length()) previousUpdate = update.dup();
            else previousUpdate.assign(update);
        }
    }

    /** Configures a {@link CurvatureTracker}. */
    public static final class Builder {
        private final Set<Quantity> quantities = new LinkedHashSet<>();
        private long every = 20;
        private final Set<Long> atSteps = new LinkedHashSet<>();
        private Batch batch;
        private double tolerance = 1e-3;
        private int maxIterations = 1000;
        private long seed;
        private long memoryBudget = -1;
        private final List<String> elrGroups = new ArrayList<>();

        private Builder() {}

        public Builder sharpness() { quantities.add(Quantity.SHARPNESS); return this; }

        public Builder preconditionedSharpness() { quantities.add(Quantity.PRECONDITIONED_SHARPNESS); return this; }

        public Builder updateCurvature() { quantities.add(Quantity.UPDATE_CURVATURE); return this; }

        /** ELR of the named parameter tensors (all weight matrices when none are named). */
        public Builder elr(String... tensorNames) {
            quantities.add(Quantity.ELR);
            elrGroups.addAll(List.of(tensorNames));
            return this;
        }

        public Builder measure(Quantity q) { quantities.add(q); return this; }

        /** Measure every k steps (default 20; 0 = only at {@link #atSteps}). */
        public Builder every(long k) { this.every = k; return this; }

        public Builder atSteps(long... steps) {
            for (long s : steps) atSteps.add(s);
            return this;
        }

        /** Measure on a fixed batch (e.g. the first 4,096 training examples) instead of the current batch. */
        public Builder on(Batch batch) { this.batch = batch; return this; }

        public Builder tolerance(double tolerance) { this.tolerance = tolerance; return this; }

        /**
         * Measure on the first k examples of the batch, k the most whose exact HVPs fit in memory
         * ({@link CurvatureBatch#fit}, from {@link org.tuneless.nn.Network#memoryPlan}), with the default budget
         * ({@link CurvatureBatch#defaultBudget}); the chosen k is recorded as the metric {@code curvature_batch}.
         */
        public Builder fitMemory() { return fitMemory(0); }

        /** {@link #fitMemory()} with a budget in bytes (0 = the default). */
        public Builder fitMemory(long budgetBytes) {
            if (budgetBytes < 0) throw new IllegalArgumentException("curvature tracker: memory budget " + budgetBytes + " bytes must be ≥ 0 (0 = the default)");
            this.memoryBudget = budgetBytes;
            return this;
        }

        public Builder maxIterations(int maxIterations) { this.maxIterations = maxIterations; return this; }

        public Builder seed(long seed) { this.seed = seed; return this; }

        public CurvatureTracker build() { return new CurvatureTracker(this); }
    }
}
