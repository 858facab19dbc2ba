package org.tuneless.train;

import java.util.Optional;
import java.util.function.Supplier;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.nn.Network;
import org.tuneless.objective.Objective;

/**
 * The objective an optimizer's step sees when the trainer kept the gradient pass's forward activations
 * ({@link Network#lossAndGradientKeepingForward}): everything is the network objective's, except that the step's first
 * uᵀHu at the unchanged parameters runs only the second-order tangent on the kept pass (CDAT's η = σ·(−gᵀu)/uᵀHu with u
 * the step's direction: the forward pass of a uᵀHu is ≈ a third of its cost). Any other pass in between, a moved
 * parameter vector or a second uᵀHu falls back to {@link Objective#curvatureAlong}, which gives the same number.
 * It also records whether the step asked for a uᵀHu, so that the trainer keeps the next pass only for optimizers
 * that use it.
 */
final class KeptForwardObjective implements Objective {

    private final Objective inner;
    private final Network.ForwardKept kept;  // null: nothing kept this step
    private final Supplier<Boolean> parametersUnchanged;
    private boolean curvatureAsked;

    KeptForwardObjective(Objective inner, Network.ForwardKept kept, Supplier<Boolean> parametersUnchanged) {
        this.inner = inner;
        this.kept = kept;
        this.parametersUnchanged = parametersUnchanged;
    }

    /** Whether the step asked for a uᵀHu. */
    boolean curvatureAsked() { return curvatureAsked; }

    @Override public double curvatureAlong(INDArray u) {
        curvatureAsked = true;
        if (kept != null && kept.usable() && parametersUnchanged.get()) return kept.curvatureAlong(u);
        return inner.curvatureAlong(u);
    }

    @Override public INDArray parameters() { return inner.parameters(); }

    @Override public long dimension() { return inner.dimension(); }

    @Override public DataType dataType() { return inner.dataType(); }

    @Override public double loss() { return inner.loss(); }

    @Override public double lossAndGradient(INDArray gradientOut) { return inner.lossAndGradient(gradientOut); }

    @Override public void hvp(INDArray v, INDArray out) { inner.hvp(v, out); }

    @Override public HessianProducts hessianProducts() { return inner.hessianProducts(); }

    @Override public <T> T withParameters(INDArray point, Supplier<T> body) { return inner.withParameters(point, body); }

    @Override public double lossAt(INDArray point) { return inner.lossAt(point); }

    @Override public <T> Optional<T> capability(Class<T> type) { return inner.capability(type); }
}
