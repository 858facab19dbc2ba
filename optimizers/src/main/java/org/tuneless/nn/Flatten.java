package org.tuneless.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Reshapes (batch, d1, d2, …) to (batch, d1·d2·…). Linear, parameter-free. */
public final class Flatten extends LinearMap {

    private long[] inputShape;

    @Override public Layer freshCopy() { return new Flatten(); }

    @Override public String kind() { return "flatten"; }

    @Override public long[] outputShape(long[] in) {
        long n = 1;
        for (long d : in) n *= d;
        return new long[]{n};
    }

    @Override protected void prepare(INDArray x) { inputShape = x.shape().clone(); }

    @Override protected INDArray apply(INDArray a) { return a.reshape('c', a.size(0), a.length() / a.size(0)); }

    @Override protected INDArray adjoint(INDArray g) { return g.reshape('c', inputShape); }
}
