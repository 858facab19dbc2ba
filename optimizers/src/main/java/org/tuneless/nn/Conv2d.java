package org.tuneless.nn;

import java.util.ArrayList;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.tensor.ParamRole;

/**
 * 2-D convolution (cross-correlation, as PyTorch's {@code Conv2d}) over NCHW images with a square k×k kernel, stride s
 * and explicit zero padding p: y[n,o,i,j] = Σ_{c,a,b} W[o,c,a,b]·x[n,c,s·i+a−p,s·j+b−p] + b[o].
 * W is stored (outChannels, inChannels, k, k) (OIHW, as PyTorch). Output (outChannels, (H+2p−k)/s+1, (W+2p−k)/s+1).
 *
 * <p>Bilinear in (x, W), so like {@link Dense} its tangents and R-op reuse the native conv2d / conv2d_bp kernels with
 * tangent arguments: ẏ = conv(ẋ, W) + conv(x, V) + v_b, ÿ = conv(ẍ, W) + 2·conv(ẋ, V).
 */
public final class Conv2d extends Layer {

    private final long outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean bias;
    private final Init init;
    private INDArray x;
    private INDArray dx;
    private static final int[] CHANNEL_SUM = {0, 2, 3};  // bias gradient: per output channel over (N, H, W)

    /** Which backward path convolutions take in this process ({@code ./tuneless info}; chosen by the allocator settings, see ConvOps). */
    public static String backwardPath() { return ConvOps.describeBackprop(); }

    public Conv2d(long outChannels, int kernel, int stride, int padding, boolean bias, Init init) {
        if (outChannels <= 0) throw new IllegalArgumentException("conv2d: outChannels = " + outChannels + " must be positive");
        if (kernel <= 0) throw new IllegalArgumentException("conv2d: kernel = " + kernel + " must be positive");
        if (stride <= 0) throw new IllegalArgumentException("conv2d: stride = " + stride + " must be positive");
        if (padding < 0) throw new IllegalArgumentException("conv2d: padding = " + padding + " must be zero or positive");
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.bias = bias;
        this.init = init;
    }

    public long outChannels() { return outChannels; }

    public int kernel() { return kernel; }

    public int stride() { return stride; }

    public int padding() { return padding; }

    public boolean hasBias() { return bias; }

    @Override public Layer freshCopy() { return new Conv2d(outChannels, kernel, stride, padding, bias, init); }

    @Override public String kind() { return "conv2d"; }

    @Override public List<ParamSpec> parameters(long[] in) {
        ConvOps.windowOutput(kind(), in, kernel, stride, padding);
        long window = (long) kernel * kernel;
        List<ParamSpec> specs = new ArrayList<>();
        specs.add(new ParamSpec("W", new long[]{outChannels, in[0], kernel, kernel}, ParamRole.WEIGHT,
                in[0] * window, outChannels * window, init));
        if (bias) specs.add(new ParamSpec("b", new long[]{outChannels}, ParamRole.BIAS, in[0] * window, outChannels * window, Init.ZEROS));
        return specs;
    }

    @Override public long[] outputShape(long[] in) {
        long[] hw = ConvOps.windowOutput(kind(), in, kernel, stride, padding);
        return new long[]{outChannels, hw[0], hw[1]};
    }

    private INDArray conv(INDArray input, INDArray w, INDArray b) {
        return ConvOps.conv2d(input, w, b, kernel, stride, padding);
    }

    private INDArray[] convBackprop(INDArray input, INDArray w, INDArray gy) {
        return ConvOps.conv2dBackprop(input, w, gy, kernel, stride, padding);
    }

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        ConvOps.requireBatchedImages(kind(), x);
        if (x.size(1) != theta[0].size(1)) {
            throw new IllegalArgumentException("conv2d: input has " + x.size(1) + " channels but the layer was built for "
                    + theta[0].size(1) + "; rebuild the network for this input shape");
        }
        this.x = x;
        return conv(x, theta[0], bias ? theta[1] : null);
    }

    @Override public INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        if (grads == null && !needInputGrad) return null;
        INDArray[] g = convBackprop(x, theta[0], gy);  // {gx, gW}
        if (grads != null) {
            grads[0].assign(g[1]);
            if (bias) grads[1].assign(Sums.sum(gy, CHANNEL_SUM).reshape(grads[1].shape()));
        }
        return needInputGrad ? g[0] : null;
    }

    @Override public INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v) {
        this.dx = dx;
        return tangent(dx, theta, v);
    }

    /** ẏ = conv(x, V) + v_b + conv(ẋ, W). */
    private INDArray tangent(INDArray dx, INDArray[] theta, INDArray[] v) {
        INDArray dy = conv(x, v[0], bias ? v[1] : null);
        if (dx != null) dy.addi(conv(dx, theta[0], null));
        return dy;
    }

    @Override public INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        // Differentiating (gx, gW) = conv_bp(x, W, gy) along (ẋ, V, R{gy}), bilinear in each pair:
        // R{gW} = bpW(x, R{gy}) + bpW(ẋ, gy) ; R{gx} = bpX(W, R{gy}) + bpX(V, gy) ; R{gb} = Σ R{gy}
        INDArray rgx = null;
        if (rgy != null) {
            INDArray[] g = convBackprop(x, theta[0], rgy);
            hv[0].assign(g[1]);
            rgx = g[0];
        } else {
            hv[0].assign(0);
        }
        if (dx != null || needInputGrad) {
            // bpX(V, gy) does not depend on the input argument; when ẋ = 0, x stands in and its bpW is discarded
            INDArray[] g = convBackprop(dx != null ? dx : x, v[0], gy);
            if (dx != null) hv[0].addi(g[1]);
            if (needInputGrad) rgx = rgx == null ? g[0] : rgx.addi(g[0]);
        }
        if (bias) {
            if (rgy != null) hv[1].assign(Sums.sum(rgy, CHANNEL_SUM).reshape(hv[1].shape())); else hv[1].assign(0);
        }
        return needInputGrad ? rgx : null;
    }

    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        INDArray dy = tangent(dx, theta, v);
        INDArray ddy = null;  // ÿ = 0 when both ẍ and ẋ vanish: y is affine in θ for a fixed input
        if (ddx != null) ddy = conv(ddx, theta[0], null);
        if (dx != null) {
            INDArray cross = conv(dx, v[0], null).muli(2.0);
            ddy = ddy == null ? cross : ddy.addi(cross);
        }
        return new INDArray[]{dy, ddy};
    }
}
