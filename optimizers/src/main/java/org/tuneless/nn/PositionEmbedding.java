package org.tuneless.nn;

import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.ParamRole;

/**
 * Learned absolute position embedding (as in GPT-2 / ViT): y = x + P for examples of shape (T, D), with P (T, D)
 * broadcast over the batch. Linear (ÿ = ẍ). P has role {@link ParamRole#BIAS} (it is an additive offset, so
 * optimizers that treat weights as operators, such as AGD, should handle it like a bias), declared with
 * fan-in = T, fan-out = D. Transformers usually draw P ~ N(0, 0.02²); with {@link Init} use {@link Init#ZEROS} (the
 * gradient of P does not depend on P) or {@link Init#GLOROT} (U(±√(6/(T + D)))).
 */
public final class PositionEmbedding extends Layer {

    private final Init init;
    private long batch;

    public PositionEmbedding(Init init) { this.init = init; }

    @Override public Layer freshCopy() { return new PositionEmbedding(init); }

    @Override public String kind() { return "posembed"; }

    private static void requireTokens(long[] in) {
        if (in.length != 2) {
            throw new IllegalArgumentException("position embedding needs examples of shape (tokens, features) but got " + Arrays.toString(in)
                    + "; put it after an embedding or reshape the input to (T, D)");
        }
    }

    @Override public List<ParamSpec> parameters(long[] in) {
        requireTokens(in);
        return List.of(new ParamSpec("P", new long[]{in[0], in[1]}, ParamRole.BIAS, in[0], in[1], init));
    }

    @Override public long[] outputShape(long[] in) {
        requireTokens(in);
        return in.clone();
    }

    private static INDArray broadcast(INDArray p) { return p.reshape(1, p.size(0), p.size(1)); }

    private static final int[] BATCH = {0};

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        batch = x.size(0);
        return x.add(broadcast(theta[0]));
    }

    @Override public INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        if (grads != null) grads[0].assign(Sums.sum(gy, BATCH).reshape(grads[0].shape()));
        return needInputGrad ? gy : null;
    }

    @Override public INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v) {
        if (dx != null) return dx.add(broadcast(v[0]));
        return Nd4j.zeros(v[0].dataType(), batch, v[0].size(0), v[0].size(1)).addi(broadcast(v[0]));
    }

    @Override public INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        if (hv != null) {
            if (rgy == null) hv[0].assign(0); else hv[0].assign(Sums.sum(rgy, BATCH).reshape(hv[0].shape()));
        }
        return needInputGrad ? rgy : null;
    }

    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        return new INDArray[]{jvp(dx, theta, v), ddx};
    }
}
