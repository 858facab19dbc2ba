package org.tuneless.objective;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A batch of examples. {@code inputs} has the batch as its first dimension; {@code targets} is (batch, k):
 * one-hot class indicators for classification (used by both cross-entropy and squared loss), real targets for regression.
 */
public record Batch(INDArray inputs, INDArray targets) {

    public Batch {
        if (inputs.size(0) != targets.size(0)) {
            throw new IllegalArgumentException("batch has " + inputs.size(0) + " inputs but " + targets.size(0) + " targets");
        }
    }

    public long size() { return inputs.size(0); }
}
