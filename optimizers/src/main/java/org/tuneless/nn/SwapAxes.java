package org.tuneless.nn;

import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Swaps the last two axes of each example: (T, D) → (D, T). MLP-Mixer's token-mixing MLP is
 * swap → dense over tokens → swap back (Tolstikhin et al. 2021, eq. 1).
 */
public final class SwapAxes extends LinearMap {

    @Override public String kind() { return "swap"; }

    @Override public Layer freshCopy() { return new SwapAxes(); }

    @Override public long[] outputShape(long[] in) {
        if (in.length < 2) throw new IllegalArgumentException("swap needs examples with at least two axes, got " + Arrays.toString(in));
        long[] out = in.clone();
        out[in.length - 1] = in[in.length - 2];
        out[in.length - 2] = in[in.length - 1];
        return out;
    }

    private static INDArray swap(INDArray a) {
        int r = a.rank();
        return a.swapAxes(r - 2, r - 1).dup('c');
    }

    @Override protected INDArray apply(INDArray x) { return swap(x); }

    @Override protected INDArray adjoint(INDArray g) { return swap(g); }
}
