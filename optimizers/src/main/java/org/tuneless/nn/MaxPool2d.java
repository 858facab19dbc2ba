package org.tuneless.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * 2-D max pooling over NCHW images with a square k×k window and stride s, no padding:
 * y[n,c,i,j] = max_{a,b &lt; k} x[n,c,s·i+a,s·j+b]. Output (C, (H−k)/s+1, (W−k)/s+1). No parameters.
 *
 * <p>Piecewise linear: every derivative routes through the window argmax chosen at the current x (one position per
 * window even when there are ties, e.g. all-zero windows after a ReLU); ẏ and ÿ gather ẋ and ẍ there, backward and
 * the R-op scatter gy and R{gy} back to it, and the second derivative is zero. All four methods use the same choice,
 * so the gradient, the JVP and the HVP always follow the same branch.
 *
 * <p>Non-overlapping windows (stride ≥ kernel, the usual case): the scatter is the native maxpool2d_bp, and the
 * gather reuses its routing R = maxpool2d_bp(x, 1) (a 0/1 image, computed lazily once per pass):
 * ẏ = k²·avgpool(R ⊙ ẋ). Overlapping windows (stride &lt; kernel): the argmax indicator over im2col patches (first
 * maximum in row-major window order), gathered by a product and a sum and scattered back by col2im.
 */
public final class MaxPool2d extends Layer {

    private final int kernel;
    private final int stride;
    private final boolean overlapping;
    private INDArray x;
    private INDArray routing;  // non-overlapping: (batch, C, H, W) 0/1; overlapping: (batch, C, k, k, outH, outW) 0/1

    public MaxPool2d(int kernel, int stride) {
        if (kernel <= 0) throw new IllegalArgumentException("maxpool2d: kernel = " + kernel + " must be positive");
        if (stride <= 0) throw new IllegalArgumentException("maxpool2d: stride = " + stride + " must be positive");
        this.kernel = kernel;
        this.stride = stride;
        this.overlapping = stride < kernel;
    }

    public int kernel() { return kernel; }

    public int stride() { return stride; }

    @Override public Layer freshCopy() { return new MaxPool2d(kernel, stride); }

    @Override public String kind() { return "maxpool2d"; }

    @Override public long[] outputShape(long[] in) {
        long[] hw = ConvOps.windowOutput(kind(), in, kernel, stride, 0);
        return new long[]{in[0], hw[0], hw[1]};
    }

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        ConvOps.requireBatchedImages(kind(), x);
        ConvOps.windowOutput(kind(), new long[]{x.size(1), x.size(2), x.size(3)}, kernel, stride, 0);
        this.x = x;
        this.routing = null;
        return ConvOps.maxPool(x, kernel, stride);
    }

    private INDArray routing() {
        if (routing == null) {
            if (overlapping) {
                INDArray cols = ConvOps.im2col(x, kernel, stride);
                long[] s = cols.shape();
                INDArray flat = cols.reshape('c', s[0], s[1], s[2] * s[3], s[4], s[5]);
                routing = ConvOps.firstMaxIndicator(flat, 2).reshape('c', s);
            } else {
                long[] y = {x.size(0), x.size(1), ConvOps.outSize(x.size(2), kernel, stride, 0), ConvOps.outSize(x.size(3), kernel, stride, 0)};
                routing = ConvOps.maxPoolBackprop(x, Nd4j.ones(x.dataType(), y), kernel, stride);
            }
        }
        return routing;
    }

    /** t at each window's argmax. */
    private INDArray gather(INDArray t) {
        if (t == null) return null;
        if (!overlapping) {
            return ConvOps.avgPool(routing().mul(t), kernel, stride, 0).muli((double) kernel * kernel);
        }
        INDArray picked = ConvOps.im2col(t, kernel, stride).muli(routing());
        long[] s = picked.shape();
        return picked.reshape('c', s[0], s[1], s[2] * s[3], s[4], s[5]).sum(2);
    }

    /** Adjoint of {@link #gather}: g scattered onto each window's argmax (summed where windows overlap). */
    private INDArray scatter(INDArray g) {
        if (g == null) return null;
        if (!overlapping) return ConvOps.maxPoolBackprop(x, g, kernel, stride);
        return ConvOps.col2im(ConvOps.mulOverWindows(routing(), g), x.size(2), x.size(3), stride);
    }

    @Override public INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        return needInputGrad ? scatter(gy) : null;
    }

    @Override public INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v) { return gather(dx); }

    @Override public INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        return needInputGrad ? scatter(rgy) : null;  // the routing is locally constant, so R{gx} = scatter(R{gy})
    }

    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        return new INDArray[]{gather(dx), gather(ddx)};
    }
}
