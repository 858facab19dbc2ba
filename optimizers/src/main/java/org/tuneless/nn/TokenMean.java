package org.tuneless.nn;

import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Mean over the token axis: (T, D) → (D). The classification head of MLP-Mixer and of our ViT (no class token). */
public final class TokenMean extends LinearMap {

    private long tokens;

    @Override public String kind() { return "tokenmean"; }

    @Override public Layer freshCopy() { return new TokenMean(); }

    @Override public long[] outputShape(long[] in) {
        if (in.length != 2) throw new IllegalArgumentException("tokenmean needs examples (tokens, features), got " + Arrays.toString(in));
        return new long[]{in[1]};
    }

    @Override protected void prepare(INDArray x) { tokens = x.size(1); }

    @Override protected INDArray apply(INDArray x) { return x.mean(1); }

    @Override protected INDArray adjoint(INDArray g) {
        // each token receives g / T
        INDArray out = g.reshape(g.size(0), 1, g.size(1)).repeat(1, tokens);
        return out.divi(tokens);
    }
}
