package org.tuneless.optim;

import java.util.Optional;

import org.nd4j.linalg.api.buffer.DataType;
import org.tuneless.nn.Network;
import org.tuneless.tensor.ParameterLayout;

/**
 * Updates the parameters in place, one step at a time, and reports what it did. An optimizer object holds only its
 * hyperparameters; everything that changes from step to step lives in the {@link OptimizerState} it creates with
 * {@link #init} and advances with {@link #step}, so one optimizer object can serve any number of runs and a state can be
 * copied, checkpointed and resumed.
 */
public interface Optimizer {

    /** A short label with the hyperparameters that matter, e.g. {@code adam(lr=0.001)}. */
    String name();

    /** A fresh state for parameters with this layout and data type (the state before the first step). */
    OptimizerState init(ParameterLayout layout, DataType type);

    /**
     * Performs one step on {@code ctx.parameters()} (in place), advancing {@code state}, and reports the learning rate
     * applied and diagnostics.
     */
    StepResult step(StepContext ctx, OptimizerState state);

    /**
     * Called once before training {@code network} (AGD: its own initialization). Must be deterministic in {@code seed},
     * so that calling it twice is harmless. Does nothing by default.
     */
    default void prepare(Network network, long seed) {}

    /**
     * Whether this optimizer multiplies its learning rate by {@link StepContext#lrFactor()}, so that a {@link Scheduled}
     * schedule applies to it (base optimizers, Prodigy, D-Adaptation, and wrappers whose base does). False by default.
     */
    default boolean followsSchedule() { return false; }

    /**
     * An optional capability of this optimizer in {@code state}, for plug-ins that measure rather than step (e.g.
     * {@link org.tuneless.curvature.Preconditioned}: the diagonal preconditioner of Adam, RMSProp, AdaGrad). Asking
     * instead of downcasting keeps optimizer classes out of the trainer and its plug-ins. Empty by default.
     */
    default <T> Optional<T> capability(Class<T> type, OptimizerState state) { return Optional.empty(); }
}
