package org.tuneless.nn;

import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Cuts an image (C, H, W) into non-overlapping p×p patches, one token per patch: output (H/p·W/p, C·p·p), patches in
 * row-major order, each flattened as (c, i, j). The patch embedding of ViT and MLP-Mixer is this layer followed by
 * a dense layer (equivalent to a stride-p convolution).
 */
public final class Patchify extends LinearMap {

    private final int patch;
    private long[] inShape;  // with batch

    public Patchify(int patch) {
        if (patch <= 0) throw new IllegalArgumentException("patchify: patch size " + patch + " must be positive");
        this.patch = patch;
    }

    @Override public String kind() { return "patchify"; }

    @Override public Layer freshCopy() { return new Patchify(patch); }

    @Override public long[] outputShape(long[] in) {
        if (in.length != 3) {
            throw new IllegalArgumentException("patchify needs images (channels, height, width) but got " + Arrays.toString(in)
                    + "; give the network input shape as e.g. (1, 28, 28)");
        }
        if (in[1] % patch != 0 || in[2] % patch != 0) {
            throw new IllegalArgumentException("patchify: image " + in[1] + "x" + in[2] + " is not divisible into " + patch + "x" + patch + " patches; pick a patch size dividing both");
        }
        return new long[]{(in[1] / patch) * (in[2] / patch), in[0] * patch * patch};
    }

    @Override protected void prepare(INDArray x) { inShape = x.shape().clone(); }

    @Override protected INDArray apply(INDArray x) {
        long n = x.size(0), c = x.size(1), gh = x.size(2) / patch, gw = x.size(3) / patch;
        // (n, c, gh, p, gw, p) → (n, gh, gw, c, p, p)
        return x.reshape('c', n, c, gh, patch, gw, patch).permute(0, 2, 4, 1, 3, 5).dup('c').reshape('c', n, gh * gw, c * patch * patch);
    }

    @Override protected INDArray adjoint(INDArray g) {
        long n = inShape[0], c = inShape[1], gh = inShape[2] / patch, gw = inShape[3] / patch;
        return g.reshape('c', n, gh, gw, c, patch, patch).permute(0, 3, 1, 4, 2, 5).dup('c').reshape('c', inShape);
    }
}
