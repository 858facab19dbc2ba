package org.tuneless.nn;

import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Global average pooling (C, H, W) → (C): y[n,c] = mean_{i,j} x[n,c,i,j]. Linear, parameter-free; its adjoint spreads
 * gy[n,c]/(H·W) over every position of channel c.
 */
public final class GlobalAvgPool extends LinearMap {

    private long[] inputShape;

    @Override public Layer freshCopy() { return new GlobalAvgPool(); }

    @Override public String kind() { return "globalavgpool"; }

    @Override public long[] outputShape(long[] in) {
        if (in.length != 3) {
            throw new IllegalArgumentException("globalavgpool needs inputs (channels, height, width) but got " + Arrays.toString(in)
                    + "; use it after convolution layers, before flatten()/dense");
        }
        return new long[]{in[0]};
    }

    @Override protected void prepare(INDArray x) {
        ConvOps.requireBatchedImages(kind(), x);
        inputShape = x.shape().clone();
    }

    @Override protected INDArray apply(INDArray t) { return t.mean(2, 3); }

    @Override protected INDArray adjoint(INDArray g) {
        long n = inputShape[0], c = inputShape[1], h = inputShape[2], w = inputShape[3];
        return g.reshape('c', n, c, 1, 1).broadcast(n, c, h, w).divi(h * w);
    }
}
