package org.tuneless.nn;

import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Global average pooling (C, H, W) → (C): y[n,c] = mean_{i,j} x[n,c,i,j]. Linear, parameter-free; its adjoint spreads
 * gy[n,c]/(H·W) over every position of channel c.
 */
public final class GlobalAvgPool extends Layer {

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

    private static INDArray mean(INDArray t) {
        return t == null ? null : t.mean(2, 3);
    }

    private INDArray spread(INDArray g) {
        if (g == null) return null;
        long n = inputShape[0], c = inputShape[1], h = inputShape[2], w = inputShape[3];
        return g.reshape('c', n, c, 1, 1).broadcast(n, c, h, w).divi(h * w);
    }

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        ConvOps.requireBatchedImages(kind(), x);
        inputShape = x.shape();
        return mean(x);
    }

    @Override public INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        return needInputGrad ? spread(gy) : null;
    }

    @Override public INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v) { return mean(dx); }

    @Override public INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        return needInputGrad ? spread(rgy) : null;
    }

    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        return new INDArray[]{mean(dx), mean(ddx)};
    }
}
