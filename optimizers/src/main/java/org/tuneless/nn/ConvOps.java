package org.tuneless.nn;

import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.transforms.any.IsMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Thin wrappers over the native libnd4j convolution and pooling kernels (conv2d, conv2d_bp, avgpool2d, avgpool2d_bp,
 * maxpool2d, im2col, col2im, ismax), all in NCHW layout with square kernels, explicit zero padding and no dilation.
 * Shared by {@link Conv2d}, {@link MaxPool2d} and {@link AvgPool2d}.
 */
final class ConvOps {

    private ConvOps() {}

    /** Output size of a window op along one axis, floor((n + 2p − k)/s) + 1 (PyTorch, ceil_mode = false); 0 if the window does not fit. */
    static long outSize(long n, int kernel, int stride, int padding) {
        long span = n + 2L * padding - kernel;
        return span < 0 ? 0 : span / stride + 1;
    }

    /** Checks an example shape is (channels, height, width) and that a k×k window fits; returns the output (H, W). */
    static long[] windowOutput(String kind, long[] in, int kernel, int stride, int padding) {
        if (in.length != 3) {
            throw new IllegalArgumentException(kind + " needs inputs (channels, height, width) but got " + Arrays.toString(in)
                    + "; reshape the input to images (e.g. input shape (1, 28, 28) for MNIST) or put this layer before flatten()");
        }
        long oh = outSize(in[1], kernel, stride, padding), ow = outSize(in[2], kernel, stride, padding);
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException(kind + ": a " + kernel + "×" + kernel + " window with padding " + padding
                    + " does not fit an input of height × width " + in[1] + "×" + in[2]
                    + "; use a smaller kernel, more padding, or fewer downsampling layers before it");
        }
        return new long[]{oh, ow};
    }

    static void requireBatchedImages(String kind, INDArray x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(kind + " needs a batch of images (batch, channels, height, width) but got "
                    + Arrays.toString(x.shape()) + "; reshape the input to (channels, height, width) examples");
        }
    }

    // conv2d / conv2d_bp integer arguments: kH, kW, sH, sW, pH, pW, dH, dW, paddingMode (0 = explicit/VALID),
    // dataFormat (0 = NCHW), weightsFormat (1 = OIYX, i.e. [out, in, kH, kW] as in PyTorch).
    private static int[] convArgs(int k, int s, int p) { return new int[]{k, k, s, s, p, p, 1, 1, 0, 0, 1}; }

    /** Cross-correlation y[n,o,i,j] = Σ_{c,a,b} w[o,c,a,b]·x[n,c,s·i+a−p,s·j+b−p] (+ bias[o]); {@code bias} may be null. */
    static INDArray conv2d(INDArray x, INDArray w, INDArray bias, int k, int s, int p) {
        INDArray y = Nd4j.createUninitialized(x.dataType(), x.size(0), w.size(0),
                outSize(x.size(2), k, s, p), outSize(x.size(3), k, s, p));
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d")
                .addIntegerArguments(convArgs(k, s, p)).addOutputs(y);
        if (bias == null) op.addInputs(x, w); else op.addInputs(x, w, bias);
        Nd4j.exec(op.build());
        return y;
    }

    // Stride-1 convolutions on small images can take their gradients from two forward-direction ops instead of
    // conv2d_bp (conv2dBackpropSplit). Which is faster depends on the process's allocator: conv2d_bp runs oneDNN's
    // Winograd backward there, whose scratch memory is fresh pages on every call under glibc's default settings — on a VM
    // where a page fault is costly that made it ≈ 4× slower at 14 × 14, and the split won (ResNet-18 gradient 2.6–4.1 s
    // against 5.2–5.5 s); with the launcher's allocator settings (GLIBC_TUNABLES with glibc.malloc.hugetlb=1, pom.xml)
    // conv2d_bp is the faster one (2.0–2.3 s against 2.6–2.7 s). benchmarks/README.md, "Native memory".
    // -Dtuneless.conv.split=auto (the default) chooses by GLIBC_TUNABLES; true or false forces a path.
    private static volatile boolean split = splitByDefault(System.getProperty("tuneless.conv.split", "auto"), System.getenv("GLIBC_TUNABLES"));
    private static final long SPLIT_MAX_PIXELS = Long.getLong("tuneless.conv.splitMaxPixels", 14 * 14);

    /** Whether stride-1 convolutions on small images use the split backward, for a {@code tuneless.conv.split} mode and the allocator settings. */
    static boolean splitByDefault(String mode, String glibcTunables) {
        return switch (mode) {
            case "true" -> true;
            case "false" -> false;
            case "auto" -> !hugePages(glibcTunables);
            default -> throw new IllegalArgumentException("-Dtuneless.conv.split=" + mode + ": valid values are auto, true and false");
        };
    }

    /** Whether glibc's allocator runs with the launcher's settings (huge pages for the heap), by its GLIBC_TUNABLES. */
    private static boolean hugePages(String glibcTunables) {
        return glibcTunables != null && glibcTunables.contains("glibc.malloc.hugetlb=1");
    }

    /** Tests and benchmarks: use the split backward (or conv2d_bp everywhere); returns the previous setting. */
    static boolean setSplitBackprop(boolean on) {
        boolean was = split;
        split = on;
        return was;
    }

    /** Which convolution backward runs, for {@code ./tuneless info}. */
    static String describeBackprop() {
        return split ? "stride-1 convolutions on images up to " + SPLIT_MAX_PIXELS + " pixels: deconv2d + swapped conv2d (glibc's default allocator); others conv2d_bp"
                : "conv2d_bp (oneDNN)" + (hugePages(System.getenv("GLIBC_TUNABLES")) ? ", with the allocator settings" : "");
    }

    /** {∂/∂x, ∂/∂w} of ⟨gy, conv2d(x, w)⟩: the transposed convolution of gy with w, and the correlation of x with gy. */
    static INDArray[] conv2dBackprop(INDArray x, INDArray w, INDArray gy, int k, int s, int p) {
        if (split && s == 1 && x.size(2) * x.size(3) <= SPLIT_MAX_PIXELS) return conv2dBackpropSplit(x, w, gy, k, p);
        INDArray gx = Nd4j.createUninitialized(x.dataType(), x.shape());
        INDArray gw = Nd4j.createUninitialized(w.dataType(), w.shape());
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, gy).addOutputs(gx, gw)
                .addIntegerArguments(convArgs(k, s, p)).build());
        return new INDArray[]{gx, gw};
    }

    /**
     * {@link #conv2dBackprop} of a stride-1 convolution as two forward-direction ops: ∂/∂x as the transposed convolution
     * of gy with w ({@code deconv2d}, weights [in = out channels of w, out, k, k]), and ∂/∂w as a convolution of x with
     * batch and channels swapped by gy with batch and channels swapped: gw[o,c,a,b] = Σ_{n,i,j} gy[n,o,i,j]·x[n,c,i+a−p,j+b−p]
     * is conv2d(x as (C, N, H, W), gy as weights (O, N, OH, OW), padding p) laid out (C, O, k, k).
     */
    private static INDArray[] conv2dBackpropSplit(INDArray x, INDArray w, INDArray gy, int k, int p) {
        INDArray gx = Nd4j.createUninitialized(x.dataType(), x.shape());
        Nd4j.exec(DynamicCustomOp.builder("deconv2d").addInputs(gy, w).addOutputs(gx).addIntegerArguments(convArgs(k, 1, p)).build());
        INDArray xs = x.permute(1, 0, 2, 3).dup('c'), gys = gy.permute(1, 0, 2, 3).dup('c');
        INDArray gwT = Nd4j.createUninitialized(x.dataType(), x.size(1), gy.size(1), k, k);
        int oh = (int) gy.size(2), ow = (int) gy.size(3);
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(xs, gys).addOutputs(gwT)
                .addIntegerArguments(oh, ow, 1, 1, p, p, 1, 1, 0, 0, 1).build());
        return new INDArray[]{gx, gwT.permute(1, 0, 2, 3).dup('c')};
    }

    // pooling integer arguments: kH, kW, sH, sW, pH, pW, dH, dW, sameMode (0), extra (avg: 1 = divide by k² including
    // padded zeros, as PyTorch count_include_pad=True), dataFormat (0 = NCHW).
    private static int[] poolArgs(int k, int s, int p) { return new int[]{k, k, s, s, p, p, 1, 1, 0, 1, 0}; }

    static INDArray avgPool(INDArray x, int k, int s, int p) {
        INDArray y = Nd4j.createUninitialized(x.dataType(), x.size(0), x.size(1),
                outSize(x.size(2), k, s, p), outSize(x.size(3), k, s, p));
        Nd4j.exec(DynamicCustomOp.builder("avgpool2d").addInputs(x).addOutputs(y)
                .addIntegerArguments(poolArgs(k, s, p)).build());
        return y;
    }

    /** Adjoint of {@link #avgPool} applied to gy (x only supplies the input shape). */
    static INDArray avgPoolBackprop(INDArray x, INDArray gy, int k, int s, int p) {
        INDArray gx = Nd4j.createUninitialized(gy.dataType(), x.shape());
        Nd4j.exec(DynamicCustomOp.builder("avgpool2d_bp").addInputs(x, gy).addOutputs(gx)
                .addIntegerArguments(poolArgs(k, s, p)).build());
        return gx;
    }

    static INDArray maxPool(INDArray x, int k, int s) {
        INDArray y = Nd4j.createUninitialized(x.dataType(), x.size(0), x.size(1),
                outSize(x.size(2), k, s, 0), outSize(x.size(3), k, s, 0));
        Nd4j.exec(DynamicCustomOp.builder("maxpool2d").addInputs(x).addOutputs(y)
                .addIntegerArguments(poolArgs(k, s, 0)).build());
        return y;
    }

    /** Adjoint of max pooling at x applied to gy: each gy entry goes to its window's argmax in x (native, no padding). */
    static INDArray maxPoolBackprop(INDArray x, INDArray gy, int k, int s) {
        INDArray gx = Nd4j.createUninitialized(gy.dataType(), x.shape());
        Nd4j.exec(DynamicCustomOp.builder("maxpool2d_bp").addInputs(x, gy).addOutputs(gx)
                .addIntegerArguments(poolArgs(k, s, 0)).build());
        return gx;
    }

    /** Patches of x, shape (batch, channels, k, k, outH, outW), no padding. */
    static INDArray im2col(INDArray x, int k, int s) {
        INDArray cols = Nd4j.createUninitialized(x.dataType(), x.size(0), x.size(1), k, k,
                outSize(x.size(2), k, s, 0), outSize(x.size(3), k, s, 0));
        Nd4j.exec(DynamicCustomOp.builder("im2col").addInputs(x).addOutputs(cols)
                .addIntegerArguments(k, k, s, s, 0, 0, 1, 1, 0).build());
        return cols;
    }

    /** Adjoint of {@link #im2col}: sums each patch entry back onto its image position (overlaps add up). */
    static INDArray col2im(INDArray cols, long height, long width, int s) {
        INDArray im = Nd4j.createUninitialized(cols.dataType(), cols.size(0), cols.size(1), height, width);
        Nd4j.exec(DynamicCustomOp.builder("col2im").addInputs(cols).addOutputs(im)
                .addIntegerArguments(s, s, 0, 0, Math.toIntExact(height), Math.toIntExact(width), 1, 1, 0).build());
        return im;
    }

    /** One-hot indicator of the first maximum over dimension {@code dim}, in x's data type. */
    static INDArray firstMaxIndicator(INDArray x, int dim) {
        INDArray mask = Nd4j.createUninitialized(x.dataType(), x.shape());
        Nd4j.exec(new IsMax(x, mask, dim));
        return mask;
    }

    /** a[n,c,·,·,i,j] · b[n,c,i,j] for a of rank 6 and b of rank 4, as a new array. */
    static INDArray mulOverWindows(INDArray a, INDArray b) {
        INDArray out = Nd4j.createUninitialized(a.dataType(), a.shape());
        Nd4j.getExecutioner().exec(new BroadcastMulOp(a, b, out, 0, 1, 4, 5));
        return out;
    }
}
