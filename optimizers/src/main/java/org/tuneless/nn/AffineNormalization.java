package org.tuneless.nn;

import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.tensor.Kernels;
import org.tuneless.tensor.ParamRole;

/**
 * Shared core of {@link LayerNorm} and {@link BatchNorm}: y = g ⊙ x̂ + b with x̂ = (x − μ)·s, s = 1/√(σ² + ε), where
 * μ and σ² (biased) are means over the group dimensions the subclass names, or fixed statistics (batch-norm in eval
 * mode, where the map is affine). Gain g and bias b are broadcast against x in the shape the subclass gives.
 *
 * <p>With batch statistics the normalization Jacobian is J = s·P, P = I − 11ᵀ/K − x̂x̂ᵀ/K per group of K values
 * (Ioffe &amp; Szegedy 2015, §3; Ba et al. 2016), so ẋ̂ = s(ẋ_c − x̂·a) with a = mean(x̂ẋ), and ∂L/∂x = s·P·u. The R-op
 * differentiates s·P·u along ẋ (ṡ = −s²a, Ṗ from ẋ̂), and the second tangent uses
 * ẍ̂ = s·ẍ_c − 2s²a·ẋ_c + s²(3a² − mean(ẋ_c²))·x̂ − s·mean(x̂ẍ)·x̂ (Taylor expansion of (x − μ)(σ² + ε)^{-1/2}).
 * All means are per group, as whole-tensor keep-dims reductions with broadcasting.
 */
abstract class AffineNormalization extends Layer {

    protected final double eps;

    // per-pass caches (valid inside the pass's workspace)
    private int[] groupDims;
    private double invCount;  // 1/K, K = values per statistics group
    private boolean fixed;
    private INDArray xhat;   // normalized input
    private INDArray scale;  // s, keep-dims shape
    private INDArray dx;     // input tangent seen by jvp
    private INDArray dxhat;  // ẋ̂ from the input tangent only (null when ẋ = 0)
    private INDArray a;      // mean(x̂ ẋ) per group

    AffineNormalization(double eps) {
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": eps = " + eps + " must be a positive finite number (e.g. 1e-5)");
        }
        this.eps = eps;
    }

    public double eps() { return eps; }

    /** Number of gain/bias entries for an example shape; rejects shapes the layer does not support. */
    abstract long features(long[] inputShape);

    /** A gain g (ones) and a bias b (zeros), one per feature or channel. */
    @Override public List<ParamSpec> parameters(long[] in) {
        long n = features(in);
        return List.of(new ParamSpec("g", new long[]{n}, ParamRole.GAIN, n, n, Init.ONES),
                new ParamSpec("b", new long[]{n}, ParamRole.BIAS, n, n, Init.ZEROS));
    }

    @Override public long[] outputShape(long[] in) {
        features(in);
        return in.clone();
    }

    /** Dimensions of the batch-first input over which μ and σ² are taken (statistics groups are the rest). */
    abstract int[] groupDims(int rank);

    /** Dimensions of the batch-first input over which the gain/bias gradients are summed. */
    abstract int[] affineDims(int rank);

    /** Shape in which gain and bias are broadcast against the batch-first input of the given shape. */
    abstract long[] affineShape(long[] inputShape);

    /** True when the statistics groups are the last axis alone (layer norm over features), where fused kernels apply. */
    boolean lastAxisStatistics(int rank) { return false; }

    /** float32 layer norm over the last axis in one fused kernel (tensor.Kernels); null when it does not apply. */
    private INDArray fusedForward(INDArray x, INDArray[] theta) {
        if (x.dataType() != DataType.FLOAT || !lastAxisStatistics(x.rank()) || !Kernels.appliesTo(theta[0], theta[1])) return null;
        long d = x.size(x.rank() - 1), rows = x.length() / d;
        long[] keep = x.shape().clone();
        keep[keep.length - 1] = 1;
        INDArray xh = Nd4j.createUninitialized(DataType.FLOAT, x.shape()), s = Nd4j.createUninitialized(DataType.FLOAT, keep),
                y = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
        if (!Kernels.layerNormForward(x.ordering() == 'c' ? x : x.dup('c'), rows, d, theta[0], theta[1], eps, xh, s, y)) return null;
        fixed = false;
        xhat = xh;
        scale = s;
        return y;
    }

    /** True when the statistics are per channel over (N, H, W) of an NCHW batch (batch norm on images), where fused kernels apply. */
    boolean channelStatistics(int rank) { return false; }

    /** float32 batch statistics per channel of an NCHW batch in fused kernels (tensor.Kernels); null when they do not apply. */
    private INDArray fusedChannelForward(INDArray x, INDArray[] theta, long count) {
        if (x.dataType() != DataType.FLOAT || !channelStatistics(x.rank()) || !Kernels.appliesTo(theta[0], theta[1])) return null;
        long n = x.size(0), c = x.size(1), hw = x.size(2) * x.size(3);
        long[] keep = {1, c, 1, 1};
        INDArray xh = Nd4j.createUninitialized(DataType.FLOAT, x.shape()), y = Nd4j.createUninitialized(DataType.FLOAT, x.shape()),
                s = Nd4j.createUninitialized(DataType.FLOAT, keep), mu = Nd4j.createUninitialized(DataType.FLOAT, keep),
                var = Nd4j.createUninitialized(DataType.FLOAT, keep);
        if (!Kernels.batchNormForward(x.ordering() == 'c' ? x : x.dup('c'), n, c, hw, theta[0], theta[1], eps, xh, s, mu, var, y)) return null;
        xhat = xh;
        scale = s;
        observeBatchStatistics(mu, var, count);
        return y;
    }

    /** Fixed {μ, s} in broadcastable shape when the layer must not use batch statistics, else null. */
    INDArray[] fixedStatistics(INDArray x) { return null; }

    /** Sees the batch mean and biased variance (keep-dims shapes) of each forward that uses batch statistics. */
    void observeBatchStatistics(INDArray mean, INDArray biasedVariance, long count) {}

    /** Per-group mean in keep-dims shape, via {@link Sums} (ND4J's strided {@code mean(dims)} is several times slower). */
    private INDArray mean(INDArray t) { return Sums.sum(t, groupDims).muli(invCount); }

    private static INDArray plus(INDArray acc, INDArray term) { return acc == null ? term : acc.addi(term); }

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        groupDims = groupDims(x.rank());
        dx = null;
        dxhat = null;
        a = null;
        long count = 1;
        for (int d : groupDims) count *= x.size(d);
        invCount = 1.0 / count;
        INDArray fused = fusedForward(x, theta);
        if (fused != null) return fused;
        INDArray[] stats = fixedStatistics(x);
        fixed = stats != null;
        if (fixed) {
            scale = stats[1];
            xhat = x.sub(stats[0]).muli(scale);
        } else {
            INDArray y = fusedChannelForward(x, theta, count);
            if (y != null) return y;
            INDArray mu = mean(x);
            INDArray xc = x.sub(mu);
            INDArray var = mean(xc.mul(xc));
            scale = Transforms.pow(var.add(eps), -0.5, false);
            xhat = xc.muli(scale);
            observeBatchStatistics(mu, var, count);
        }
        long[] shape = affineShape(x.shape());
        return xhat.mul(theta[0].reshape(shape)).addi(theta[1].reshape(shape));
    }

    /** ẋ̂ = J·ẋ. */
    private INDArray normTangent(INDArray t) {
        if (fixed) return t.mul(scale);
        a = mean(xhat.mul(t));
        return t.sub(mean(t)).subi(xhat.mul(a)).muli(scale);
    }

    /** Jᵀ·u = s·(u − mean(u) − x̂·mean(x̂u)) (J is symmetric). */
    private INDArray normVjp(INDArray u) {
        if (fixed) return u.mul(scale);
        return u.sub(mean(u)).subi(xhat.mul(mean(xhat.mul(u)))).muli(scale);
    }

    @Override public INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        if (!fixed && gy.dataType() == DataType.FLOAT && lastAxisStatistics(gy.rank())) {
            long d = gy.size(gy.rank() - 1), rows = gy.length() / d;
            INDArray gx = needInputGrad ? Nd4j.createUninitialized(DataType.FLOAT, gy.shape()) : null;
            if (Kernels.layerNormBackward(gy.ordering() == 'c' ? gy : gy.dup('c'), xhat, scale, rows, d, theta[0],
                    grads == null ? null : grads[0], grads == null ? null : grads[1], gx)) return gx;
        }
        if (!fixed && gy.dataType() == DataType.FLOAT && channelStatistics(gy.rank())) {
            long n = gy.size(0), c = gy.size(1), hw = gy.size(2) * gy.size(3);
            INDArray gx = needInputGrad ? Nd4j.createUninitialized(DataType.FLOAT, gy.shape()) : null;
            if (Kernels.batchNormBackward(gy.ordering() == 'c' ? gy : gy.dup('c'), xhat, scale, n, c, hw, theta[0],
                    grads == null ? null : grads[0], grads == null ? null : grads[1], gx)) return gx;
        }
        int[] ad = affineDims(gy.rank());
        long[] shape = affineShape(gy.shape());
        // gain and bias act per statistics group (batch norm): ∂L/∂x = s·g·(gy − Σgy/K − x̂·Σ(gy⊙x̂)/K) from the same
        // two sums as the parameter gradients
        boolean perGroup = !fixed && java.util.Arrays.equals(ad, groupDims);
        INDArray sumGy = null, sumGyXhat = null;
        if (grads != null || perGroup && needInputGrad) {
            sumGy = Sums.sum(gy, ad);
            sumGyXhat = Sums.sum(gy.mul(xhat), ad);
        }
        if (grads != null) {
            grads[0].assign(sumGyXhat.reshape(grads[0].shape()));
            grads[1].assign(sumGy.reshape(grads[1].shape()));
        }
        if (!needInputGrad) return null;
        INDArray g = theta[0].reshape(shape);
        if (perGroup) {
            INDArray sg = scale.mul(g);
            INDArray gx = gy.mul(sg);
            gx.subi(xhat.mul(sumGyXhat.mul(sg).muli(invCount)));
            return gx.subi(sumGy.mul(sg).muli(invCount));
        }
        return normVjp(gy.mul(g));
    }

    @Override public INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v) {
        this.dx = dx;
        long[] shape = affineShape(xhat.shape());
        dxhat = dx == null ? null : normTangent(dx);
        if (dx == null) a = null;
        INDArray dy = xhat.mul(v[0].reshape(shape)).addi(v[1].reshape(shape));
        if (dxhat != null) dy.addi(dxhat.mul(theta[0].reshape(shape)));
        return dy;
    }

    @Override public INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        int[] ad = affineDims(gy.rank());
        long[] shape = affineShape(gy.shape());
        if (hv != null) {
            // R{g_g} = Σ (R{gy}⊙x̂ + gy⊙ẋ̂) ; R{g_b} = Σ R{gy}
            INDArray rg = rgy == null ? null : rgy.mul(xhat);
            if (dxhat != null) rg = plus(rg, gy.mul(dxhat));
            if (rg == null) hv[0].assign(0); else hv[0].assign(Sums.sum(rg, ad).reshape(hv[0].shape()));
            if (rgy == null) hv[1].assign(0); else hv[1].assign(Sums.sum(rgy, ad).reshape(hv[1].shape()));
        }
        if (!needInputGrad) return null;
        INDArray g = theta[0].reshape(shape);
        // u = g⊙gy is ∂L/∂x̂; R{u} = g⊙R{gy} + v_g⊙gy
        INDArray du = gy.mul(v[0].reshape(shape));
        if (rgy != null) du.addi(rgy.mul(g));
        INDArray r = normVjp(du);
        if (!fixed && dxhat != null) {
            // R{s·P·u} along ẋ: (ṡ/s)·sPu − s·(ẋ̂·mean(x̂u) + x̂·mean(ẋ̂u)), ṡ/s = −s·a
            INDArray u = gy.mul(g);
            INDArray gx = normVjp(u);
            r.subi(gx.muli(scale.mul(a)));
            INDArray coupling = dxhat.mul(mean(xhat.mul(u))).addi(xhat.mul(mean(dxhat.mul(u))));
            r.subi(coupling.muli(scale));
        }
        return r;
    }

    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        long[] shape = affineShape(xhat.shape());
        INDArray g = theta[0].reshape(shape), vg = v[0].reshape(shape);
        INDArray dh = null, ddh = null;
        if (fixed) {
            if (dx != null) dh = dx.mul(scale);
            if (ddx != null) ddh = ddx.mul(scale);
        } else {
            if (dx != null) {
                INDArray aa = mean(xhat.mul(dx));
                INDArray dxc = dx.sub(mean(dx));
                dh = dxc.sub(xhat.mul(aa)).muli(scale);
                INDArray s2 = scale.mul(scale);
                // −2s²a·ẋ_c + s²(3a² − mean(ẋ_c²))·x̂
                INDArray q = mean(dxc.mul(dxc));
                INDArray coef = aa.mul(aa).muli(3).subi(q).muli(s2);
                ddh = dxc.muli(aa.mul(s2).muli(-2)).addi(xhat.mul(coef));
            }
            if (ddx != null) {
                // s·(ẍ_c − x̂·mean(x̂ẍ))
                INDArray b = mean(xhat.mul(ddx));
                ddh = plus(ddh, ddx.sub(mean(ddx)).subi(xhat.mul(b)).muli(scale));
            }
        }
        INDArray dy = xhat.mul(vg).addi(v[1].reshape(shape));
        INDArray ddy = null;
        if (dh != null) {
            dy.addi(dh.mul(g));
            ddy = dh.mul(vg).muli(2);  // 2·v_g⊙ẋ̂
        }
        if (ddh != null) ddy = plus(ddy, ddh.muli(g));
        return new INDArray[]{dy, ddy};
    }
}
