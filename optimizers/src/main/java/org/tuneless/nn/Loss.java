package org.tuneless.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss on network outputs (batch, k) and targets (batch, k), averaged over the batch. Stateless: each
 * {@link #evaluate} returns an {@link Evaluation} that holds what the derivatives need.
 */
public interface Loss {

    /** Short name: {@code ce} or {@code mse}. */
    String name();

    Evaluation evaluate(INDArray output, INDArray targets);

    /** The loss at one output, with its first and second derivatives with respect to the output. */
    interface Evaluation {
        double value();

        /** ∂L/∂y, shape (batch, k). */
        INDArray gradient();

        /** ∇²_y L · ẏ, shape (batch, k). */
        INDArray hessianTimes(INDArray outputTangent);
    }

    /**
     * Evaluates on outputs with more than one axis per example, e.g. (batch, T, k) logits of a language model: every
     * position is a row, and the loss is the mean over all batch·T rows. Rank-2 outputs pass through unchanged.
     */
    static Evaluation evaluateRows(Loss loss, INDArray output, INDArray targets) {
        if (output.rank() == 2) return loss.evaluate(output, targets);
        long k = output.size(output.rank() - 1);
        long rows = output.length() / k;
        long[] shape = output.shape().clone();
        Evaluation e = loss.evaluate(output.reshape('c', rows, k), targets.reshape('c', rows, k));
        return new Evaluation() {
            @Override public double value() { return e.value(); }

            @Override public INDArray gradient() { return e.gradient().reshape('c', shape); }

            @Override public INDArray hessianTimes(INDArray tangent) { return e.hessianTimes(tangent.reshape('c', rows, k)).reshape('c', shape); }
        };
    }

    /** Outputs or targets (batch, …, k) as rows (batch·…, k). */
    static INDArray asRows(INDArray a) {
        return a.rank() == 2 ? a : a.reshape('c', a.length() / a.size(a.rank() - 1), a.size(a.rank() - 1));
    }

    static Loss byName(String name) {
        return switch (name) {
            case "ce", "cross-entropy", "crossentropy" -> new SoftmaxCrossEntropy();
            case "mse", "squared", "square" -> new SquaredLoss();
            default -> throw new IllegalArgumentException("unknown loss '" + name + "'; valid: ce (softmax cross-entropy), mse (squared loss on one-hot targets)");
        };
    }
}
