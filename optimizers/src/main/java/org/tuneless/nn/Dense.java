package org.tuneless.nn;

import java.util.ArrayList;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.ParamRole;
import org.tuneless.tensor.Workspaces;

/**
 * Fully connected layer y = x·W + b with W stored (in, out), applied to the last axis: an example of shape
 * (…, in) becomes (…, out), so the same layer serves flat inputs and per-token projections of sequences (T, in).
 * Bilinear in (x, W), so its R-op and second tangent reuse the forward/backward GEMMs: ÿ = ẍ·W + 2·ẋ·V_W.
 */
public final class Dense extends Layer {

    private final long units;
    private final boolean bias;
    private final Init init;
    private INDArray x;       // input as rows (batch·…, in)
    private INDArray dx;      // its tangent as rows, or null
    private long[] outShape;  // full output shape with batch
    private INDArray ones;    // (1, rows) of ones for bias-gradient GEMMs, outside workspaces, reused while rows and dtype match

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
        long fanIn = in[in.length - 1];
        List<ParamSpec> specs = new ArrayList<>();
        specs.add(new ParamSpec("W", new long[]{fanIn, units}, ParamRole.WEIGHT, fanIn, units, init));
        if (bias) specs.add(new ParamSpec("b", new long[]{units}, ParamRole.BIAS, fanIn, units, Init.ZEROS));
        return specs;
    }

    @Override public long[] outputShape(long[] in) {
        long[] out = in.clone();
        out[out.length - 1] = units;
        return out;
    }

    /** (batch, …, k) as rows (batch·…, k); a view when the array is C-contiguous. */
    static INDArray rows(INDArray a) {
        if (a == null || a.rank() == 2) return a;
        return a.reshape('c', a.length() / a.size(a.rank() - 1), a.size(a.rank() - 1));
    }

    /** Rows (batch·…, k) back to the shape of an array whose last axis is {@code k}. */
    private INDArray unrows(INDArray r, long[] shape) {
        if (r == null || shape.length == 2) return r;
        long[] s = shape.clone();
        s[s.length - 1] = r.size(1);
        return r.reshape('c', s);
    }

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        this.outShape = x.shape().clone();
        outShape[outShape.length - 1] = units;
        this.x = rows(x);
        INDArray y = Nd4j.createUninitialized(x.dataType(), this.x.size(0), units);
        // float32 with a bias: y starts as b in every row and the GEMM adds x·W (β = 1), one pass fewer than a broadcast
        // add (float64 keeps the add after the GEMM: its rounding, which the golden runs recorded)
        boolean fromBias = bias && y.dataType() == DataType.FLOAT && org.tuneless.tensor.Kernels.fillRows(theta[1], y);
        Nd4j.gemm(this.x, theta[0], y, false, false, 1.0, fromBias ? 1.0 : 0.0);
        if (bias && !fromBias) y.addiRowVector(theta[1]);
        return unrows(y, outShape);
    }

    /**
     * Column sums of {@code g} (rows, units) into {@code out} (units): the fused kernel for float32, else a GEMM with a
     * ones row, ~20× faster in ND4J than the strided column reduction {@code g.sum(0)} at (4096, 512).
     */
    private void columnSums(INDArray g, INDArray out) {
        long r = g.size(0);
        if (org.tuneless.tensor.Kernels.columnSums(g, r, g.size(1), out)) return;  // float32: one pass, no GEMM (tensor.Kernels)
        if (ones == null || ones.size(1) != r || ones.dataType() != g.dataType()) {
            try (MemoryWorkspace ignored = Workspaces.detached()) {
                ones = Nd4j.ones(g.dataType(), 1, r);
            }
        }
        INDArray s = Nd4j.createUninitialized(g.dataType(), 1, g.size(1));
        Nd4j.gemm(ones, g, s, false, false, 1.0, 0.0);
        out.assign(s.reshape(out.shape()));
    }

    private long[] inShape() {
        long[] s = outShape.clone();
        s[s.length - 1] = x.size(1);
        return s;
    }

    @Override public INDArray backward(INDArray gyFull, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        INDArray gy = rows(gyFull);
        if (grads != null) {
            Nd4j.gemm(x, gy, grads[0], true, false, 1.0, 0.0);
            if (bias) columnSums(gy, grads[1]);
        }
        if (!needInputGrad) return null;
        INDArray gx = Nd4j.createUninitialized(gy.dataType(), gy.size(0), theta[0].size(0));
        Nd4j.gemm(gy, theta[0], gx, false, true, 1.0, 0.0);
        return unrows(gx, inShape());
    }

    @Override public INDArray jvp(INDArray dxFull, INDArray[] theta, INDArray[] v) {
        this.dx = rows(dxFull);
        return unrows(tangent(dx, theta, v), outShape);
    }

    /** ẏ = ẋ·W + x·V_W + v_b, as rows. */
    private INDArray tangent(INDArray dx, INDArray[] theta, INDArray[] v) {
        INDArray dy = MatMul.product(x, v[0]);
        if (dx != null) Nd4j.gemm(dx, theta[0], dy, false, false, 1.0, 1.0);
        if (bias) dy.addiRowVector(v[1]);
        return dy;
    }

    /** gy enters R{gW} through ẋᵀ·gy (a moving input) and R{gx} through gy·V_Wᵀ. */
    @Override boolean rBackwardReadsGy(boolean needInputGrad) { return dx != null || needInputGrad; }

    @Override public INDArray rBackward(INDArray gyFull, INDArray rgyFull, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        INDArray gy = gyFull == null ? null : rows(gyFull);  // null only where rBackwardReadsGy is false
        INDArray rgy = rgyFull == null ? Nd4j.zeros(x.dataType(), x.size(0), theta[0].size(1)) : rows(rgyFull);
        // R{gW} = xᵀ·R{gy} + ẋᵀ·gy ; R{gb} = Σ R{gy} ; R{gx} = R{gy}·Wᵀ + gy·V_Wᵀ
        Nd4j.gemm(x, rgy, hv[0], true, false, 1.0, 0.0);
        if (dx != null) Nd4j.gemm(dx, gy, hv[0], true, false, 1.0, 1.0);
        if (bias) {
            if (rgyFull == null) hv[1].assign(0); else columnSums(rgy, hv[1]);
        }
        if (!needInputGrad) return null;
        INDArray rgx = MatMul.product(rgy, theta[0], false, true);
        Nd4j.gemm(gy, v[0], rgx, false, true, 1.0, 1.0);
        return unrows(rgx, inShape());
    }

    @Override public INDArray[] secondTangent(INDArray dxFull, INDArray ddxFull, INDArray[] theta, INDArray[] v) {
        INDArray dx = rows(dxFull), ddx = rows(ddxFull);
        INDArray dy = tangent(dx, theta, v);
        INDArray ddy;
        if (ddx != null) {
            ddy = MatMul.product(ddx, theta[0]);
            if (dx != null) Nd4j.gemm(dx, v[0], ddy, false, false, 2.0, 1.0);
        } else if (dx != null) {
            ddy = MatMul.product(dx, v[0]).muli(2.0);
        } else {
            ddy = null;  // ÿ = 0: the output is affine in θ for a fixed input
        }
        return new INDArray[]{unrows(dy, outShape), unrows(ddy, outShape)};
    }
}
