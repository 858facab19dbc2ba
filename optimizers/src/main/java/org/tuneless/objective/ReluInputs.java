package org.tuneless.objective;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An objective capability ({@link Objective#capability}): the pre-activations feeding each ReLU of a network on the
 * current batch, at the current parameters, and their first-order change when the parameters move by a given delta.
 * ECCO-DNN's activation limiter (arXiv 2310.13901, §3.3) uses it to keep a step from flipping ReLU signs.
 */
public interface ReluInputs {

    /** What {@link #forEach} reports for one ReLU. */
    @FunctionalInterface
    interface Visitor {
        /**
         * @param tensors     indices in the parameter layout of the tensors feeding this ReLU (since the previous ReLU or
         *                    the start of the enclosing block)
         * @param input       the ReLU's input a (pre-activation) on the batch
         * @param inputChange Δa = J·Δθ, the first-order change of a when those tensors move by their block of the delta
         */
        void visit(int[] tensors, INDArray input, INDArray inputChange);
    }

    /**
     * Visits every ReLU, at any depth (inside sequential and residual blocks), in forward order. Exact for affine layers
     * (dense, conv), first order through normalization. {@code delta} is a vector in the parameter layout. The arrays
     * passed to the visitor are valid only during the call.
     */
    void forEach(INDArray delta, Visitor visitor);
}
