package org.tuneless.train;

/**
 * Where the trainer evaluates (train/test loss and accuracy) when the optimizer offers an
 * {@link org.tuneless.optim.EvaluationPoint} (Schedule-Free's x, an iterate average): {@link #AVERAGE} (the default)
 * at that point, {@link #LIVE} at the live parameters where gradients are taken. Without the capability both evaluate
 * at the live parameters.
 */
public enum EvaluationMode {
    /** At the optimizer's evaluation point when it offers one (else live). */
    AVERAGE,
    /** Always at the live parameters. */
    LIVE
}
