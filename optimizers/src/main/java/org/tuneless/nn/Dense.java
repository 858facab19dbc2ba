package org.tuneless.nn;

import java.util.ArrayList;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fully connected layer y = x·W + b with W stored (in, out). Bilinear in (x, W), so its R-op and second tangent
 * reuse the forward/backward GEMMs: ÿ = ẍ·W + 2·ẋ·V_W.
 */
public final class Dense extends Layer {

    private final long units;
    private final boolean bias;
    private final Init init;
    private INDArray x;
    private INDArray dx;

    public Dense(long units, boolean bias, Init init) {
        if (units <= 0) throw new IllegalArgumentException("dense: units = " + units + " must be positive");
        this.units = units;
        this.bias = bias;
        this.init = init;
    }

    public long units() { return units; }

    public boolean hasBias() { return bias; }

    @Override public Layer freshCopy() { return new Dense(units, bias, init); }

    @Override public String kind() { return "dense"; }

    @Override public List<ParamSpec> parameters(long[] in) {
        requireFlat(in);
        List<ParamSpec> specs = new ArrayList<>();
        specs.add(new ParamSpec("W", new long[]{in[0], units}, ParamRole.WEIGHT, in[0], units, init));
        if (bias) specs.add(new ParamSpec("b", new long[]{units}, ParamRole.BIAS, in[0], units, Init.ZEROS));
        return specs;
    }

    @Override public long[] outputShape(long[] in) {
        requireFlat(in);
        return new long[]{units};
    }

    private void requireFlat(long[] in) {
        if (in.length != 1) {
            throw new IllegalArgumentException("dense layer needs flat inputs but got shape " + java.util.Arrays.toString(in) + "; add flatten() before it");
        }
    }

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        this.x = x;
        INDArray y = Nd4j.createUninitialized(x.dataType(), x.size(0), units);
        Nd4j.gemm(x, theta[0], y, false, false, 1.0, 0.0);
        if (bias) y.addiRowVector(theta[1]);
        return y;
    }

    @Override public INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        if (grads != null) {
            Nd4j.gemm(x, gy, grads[0], true, false, 1.0, 0.0);
            if (bias) grads[1].assign(gy.sum(0));
        }
        if (!needInputGrad) return null;
        INDArray gx = Nd4j.createUninitialized(gy.dataType(), gy.size(0), theta[0].size(0));
        Nd4j.gemm(gy, theta[0], gx, false, true, 1.0, 0.0);
        return gx;
    }

    @Override public INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v) {
        this.dx = dx;
        INDArray dy = x.mmul(v[0]);
        if (dx != null) Nd4j.gemm(dx, theta[0], dy, false, false, 1.0, 1.0);
        if (bias) dy.addiRowVector(v[1]);
        return dy;
    }

    @Override public INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        // R{gW} = xᵀ·R{gy} + ẋᵀ·gy ; R{gb} = Σ R{gy} ; R{gx} = R{gy}·Wᵀ + gy·V_Wᵀ
        Nd4j.gemm(x, rgy, hv[0], true, false, 1.0, 0.0);
        if (dx != null) Nd4j.gemm(dx, gy, hv[0], true, false, 1.0, 1.0);
        if (bias) hv[1].assign(rgy.sum(0));
        if (!needInputGrad) return null;
        INDArray rgx = Nd4j.gemm(rgy, theta[0], false, true);
        Nd4j.gemm(gy, v[0], rgx, false, true, 1.0, 1.0);
        return rgx;
    }

    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        INDArray dy = x.mmul(v[0]);
        if (dx != null) Nd4j.gemm(dx, theta[0], dy, false, false, 1.0, 1.0);
        if (bias) dy.addiRowVector(v[1]);
        INDArray ddy;
        if (ddx != null) {
            ddy = ddx.mmul(theta[0]);
            if (dx != null) Nd4j.gemm(dx, v[0], ddy, false, false, 2.0, 1.0);
        } else if (dx != null) {
            ddy = dx.mmul(v[0]).muli(2.0);
        } else {
            ddy = null;  // ÿ = 0: the output is affine in θ for a fixed input
        }
        return new INDArray[]{dy, ddy};
    }
}
