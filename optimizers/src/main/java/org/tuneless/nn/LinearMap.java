package org.tuneless.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A parameter-free linear layer y = A·x (a reshape, transpose, patch extraction, mean). Its derivatives all follow
 * from A and its adjoint Aᵀ: backward and R-op apply Aᵀ, tangents of any order apply A.
 */
public abstract class LinearMap extends Layer {

    /** Called by {@link #forward} with the input before {@link #apply}: validate it and keep what the adjoint needs. */
    protected void prepare(INDArray x) {}

    /** A·x for a batch (batch first); also applied to tangents, which have the input's shape. */
    protected abstract INDArray apply(INDArray x);

    /** Aᵀ·g for a batch of output gradients. */
    protected abstract INDArray adjoint(INDArray g);

    private INDArray applyOrNull(INDArray a) { return a == null ? null : apply(a); }

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        prepare(x);
        return apply(x);
    }

    @Override public INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        return needInputGrad ? adjoint(gy) : null;
    }

    @Override public INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v) { return applyOrNull(dx); }

    @Override public INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        return needInputGrad && rgy != null ? adjoint(rgy) : null;
    }

    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        return new INDArray[]{applyOrNull(dx), applyOrNull(ddx)};
    }
}
