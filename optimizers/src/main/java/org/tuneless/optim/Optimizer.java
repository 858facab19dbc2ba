package org.tuneless.optim;

/** Updates the parameters in place, one step at a time, and reports what it did. */
public interface Optimizer {

    /** A short label with the hyperparameters that matter, e.g. {@code adam(lr=0.001)}. */
    String name();

    /** Performs one step on {@code ctx.parameters()} and reports the learning rate applied and diagnostics. */
    StepResult step(StepContext ctx);
}
