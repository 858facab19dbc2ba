package org.tuneless.nn;

import java.util.Arrays;
import org.tuneless.tensor.ParamRole;

/**
 * Layer normalization (Ba, Kiros &amp; Hinton 2016, arXiv 1607.06450), per example: y = g ⊙ (x − μ)/√(σ² + ε) + b
 * with the biased variance σ².
 * <ul>
 *   <li>Example shape (D) or (T, D): μ, σ² over the last axis (per token, as in transformers); g, b of shape (D).</li>
 *   <li>Example shape (C, H, W): μ, σ² over all of (C, H, W) per example (group norm with one group, Wu &amp; He 2018);
 *       g, b of shape (C), broadcast over H and W.</li>
 * </ul>
 * Parameters: {@code g} (role {@link ParamRole#GAIN}, init ones) and {@code b} (role {@link ParamRole#BIAS}, init
 * zeros). Examples are independent, so per-example curvature reasoning applies. Derivatives to second order go
 * exactly through μ and σ² (see {@link AffineNormalization}).
 */
public final class LayerNorm extends AffineNormalization {

    public LayerNorm(double eps) { super(eps); }

    /** ε = 1e-5 (PyTorch's default). */
    public LayerNorm() { this(1e-5); }

    @Override public Layer freshCopy() { return new LayerNorm(eps); }

    @Override public String kind() { return "layernorm"; }

    @Override long features(long[] in) {
        if (in.length < 1 || in.length > 3) {
            throw new IllegalArgumentException("layer norm needs examples of shape (features), (tokens, features) or (channels, height, width) but got "
                    + Arrays.toString(in) + "; reshape or flatten the input first");
        }
        return in.length == 3 ? in[0] : in[in.length - 1];
    }

    @Override int[] groupDims(int rank) {
        return switch (rank) {
            case 2 -> new int[]{1};
            case 3 -> new int[]{2};
            case 4 -> new int[]{1, 2, 3};
            default -> throw new IllegalArgumentException("layer norm got a batch of rank " + rank + "; expected (batch, D), (batch, T, D) or (batch, C, H, W)");
        };
    }

    @Override boolean lastAxisStatistics(int rank) { return rank == 2 || rank == 3; }

    @Override int[] affineDims(int rank) {
        return switch (rank) {
            case 2 -> new int[]{0};
            case 3 -> new int[]{0, 1};
            default -> new int[]{0, 2, 3};
        };
    }

    @Override long[] affineShape(long[] x) {
        return switch (x.length) {
            case 2 -> new long[]{1, x[1]};
            case 3 -> new long[]{1, 1, x[2]};
            default -> new long[]{1, x[1], 1, 1};
        };
    }
}
