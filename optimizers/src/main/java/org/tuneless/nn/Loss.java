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

    static Loss byName(String name) {
        return switch (name) {
            case "ce", "cross-entropy", "crossentropy" -> new SoftmaxCrossEntropy();
            case "mse", "squared", "square" -> new SquaredLoss();
            default -> throw new IllegalArgumentException("unknown loss '" + name + "'; valid: ce (softmax cross-entropy), mse (squared loss on one-hot targets)");
        };
    }
}
