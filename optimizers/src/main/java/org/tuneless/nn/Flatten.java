package org.tuneless.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Reshapes (batch, d1, d2, …) to (batch, d1·d2·…). Linear, parameter-free. */
public final class Flatten extends Layer {

    private long[] inputShape;

    @Override public Layer freshCopy() { return new Flatten(); }

    @Override public String kind() { return "flatten"; }

    @Override public long[] outputShape(long[] in) {
        long n = 1;
        for (long d : in) n *= d;
        return new long[]{n};
    }

    private static INDArray flat(INDArray a) {
        return a == null ? null : a.reshape('c', a.size(0), a.length() / a.size(0));
    }

    private INDArray unflat(INDArray a) {
        return a == null ? null : a.reshape('c', inputShape);
    }

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        inputShape = x.shape().clone();
        return flat(x);
    }

    @Override public INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        return needInputGrad ? unflat(gy) : null;
    }

    @Override public INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v) { return flat(dx); }

    @Override public INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        return needInputGrad ? unflat(rgy) : null;
    }

    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        return new INDArray[]{flat(dx), flat(ddx)};
    }
}
