package org.tuneless.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * 2-D average pooling over NCHW images with a square k×k window, stride s and zero padding p:
 * y[n,c,i,j] = (1/k²)·Σ_{a,b &lt; k} x[n,c,s·i+a−p,s·j+b−p]. Padded zeros count in the average (always divides by k²,
 * as PyTorch's {@code AvgPool2d(count_include_pad=True)}), which keeps the layer a fixed linear map.
 * Output (C, (H+2p−k)/s+1, (W+2p−k)/s+1). No parameters.
 *
 * <p>Linear: ẏ = pool(ẋ), ÿ = pool(ẍ), backward and R-op are the native adjoint avgpool2d_bp of gy and R{gy}.
 */
public final class AvgPool2d extends LinearMap {

    private final int kernel;
    private final int stride;
    private final int padding;
    private INDArray x;

    public AvgPool2d(int kernel, int stride, int padding) {
        if (kernel <= 0) throw new IllegalArgumentException("avgpool2d: kernel = " + kernel + " must be positive");
        if (stride <= 0) throw new IllegalArgumentException("avgpool2d: stride = " + stride + " must be positive");
        if (padding < 0 || 2 * padding > kernel) {
            throw new IllegalArgumentException("avgpool2d: padding = " + padding + " must be between 0 and kernel/2 = " + kernel / 2
                    + " (a window must not lie entirely in the padding)");
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    public int kernel() { return kernel; }

    public int stride() { return stride; }

    public int padding() { return padding; }

    @Override public Layer freshCopy() { return new AvgPool2d(kernel, stride, padding); }

    @Override public String kind() { return "avgpool2d"; }

    @Override public long[] outputShape(long[] in) {
        long[] hw = ConvOps.windowOutput(kind(), in, kernel, stride, padding);
        return new long[]{in[0], hw[0], hw[1]};
    }

    @Override protected void prepare(INDArray x) {
        ConvOps.requireBatchedImages(kind(), x);
        ConvOps.windowOutput(kind(), new long[]{x.size(1), x.size(2), x.size(3)}, kernel, stride, padding);
        this.x = x;
    }

    @Override protected INDArray apply(INDArray t) { return ConvOps.avgPool(t, kernel, stride, padding); }

    @Override protected INDArray adjoint(INDArray g) { return ConvOps.avgPoolBackprop(x, g, kernel, stride, padding); }
}
