package org.tuneless.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * y = σ(x) elementwise. Subclasses give σ, σ' and σ''; this class derives backward (gy⊙σ'), the tangent (σ'⊙ẋ),
 * the R-op (R{gy}⊙σ' + gy⊙σ''⊙ẋ) and the second tangent (σ'⊙ẍ + σ''⊙ẋ²).
 */
public abstract class ElementwiseActivation extends Layer {

    private INDArray x;
    private INDArray dx;

    /** σ(x) as a new array. */
    protected abstract INDArray value(INDArray x);

    /** σ'(x) as a new array. */
    protected abstract INDArray firstDerivative(INDArray x);

    /** σ''(x) as a new array, or null when it is zero almost everywhere (piecewise-linear σ). */
    protected abstract INDArray secondDerivative(INDArray x);

    @Override public long[] outputShape(long[] in) { return in.clone(); }

    /** σ'(x)⊙v as a new array (a subclass may fuse the two passes). */
    protected INDArray firstDerivativeTimes(INDArray x, INDArray v) { return firstDerivative(x).muli(v); }

    /** The input of the last forward pass (valid until the pass's workspace closes). */
    INDArray lastInput() { return x; }

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        this.x = x;
        return value(x);
    }

    @Override public INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        return needInputGrad ? firstDerivativeTimes(x, gy) : null;
    }

    @Override public INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v) {
        this.dx = dx;
        return dx == null ? null : firstDerivativeTimes(x, dx);
    }

    /** Whether {@link #secondDerivative} can be non-zero (false for ReLU): only then does the R-op read gy. */
    protected boolean hasSecondDerivative() { return true; }

    /** gy enters R{gx} only through σ''(x)·gy·ẋ. */
    @Override boolean rBackwardReadsGy(boolean needInputGrad) { return needInputGrad && dx != null && hasSecondDerivative(); }

    @Override public INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        if (!needInputGrad) return null;
        INDArray r = rgy == null ? null : firstDerivativeTimes(x, rgy);
        INDArray second = dx == null ? null : secondDerivative(x);
        if (second != null) {
            second.muli(gy).muli(dx);
            r = r == null ? second : r.addi(second);
        }
        return r;
    }

    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        INDArray first = firstDerivative(x);
        INDArray dy = dx == null ? null : first.mul(dx);
        INDArray ddy = ddx == null ? null : first.muli(ddx);
        INDArray second = dx == null ? null : secondDerivative(x);
        if (second != null) {
            second.muli(dx).muli(dx);
            ddy = ddy == null ? second : ddy.addi(second);
        }
        return new INDArray[]{dy, ddy};
    }
}
