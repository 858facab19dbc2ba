package org.tuneless.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.tensor.Kernels;

/** ReLU max(x, 0). σ'' = 0 away from the kink; at x = 0 the derivative is taken as 0 (as PyTorch). */
public final class Relu extends ElementwiseActivation {

    @Override public Layer freshCopy() { return new Relu(); }

    @Override public String kind() { return "relu"; }

    @Override protected INDArray value(INDArray x) { return Transforms.relu(x, true); }

    @Override protected INDArray firstDerivative(INDArray x) { return Transforms.step(x, true); }

    @Override protected INDArray secondDerivative(INDArray x) { return null; }

    @Override protected boolean hasSecondDerivative() { return false; }

    /**
     * Second tangent (σ'⊙ẋ, σ'⊙ẍ; σ'' = 0): each product in one fused pass, without the step(x) array the general form
     * makes (the same values: {@link #firstDerivativeTimes}).
     */
    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        INDArray x = lastInput();
        return new INDArray[]{dx == null ? null : firstDerivativeTimes(x, dx), ddx == null ? null : firstDerivativeTimes(x, ddx)};
    }

    /** σ'(x)⊙v: float32 in one fused pass (tensor.Kernels.reluMask, the same values as step(x)·v), else the two ND4J ops. */
    @Override protected INDArray firstDerivativeTimes(INDArray x, INDArray v) {
        INDArray out = Nd4j.createUninitialized(v.dataType(), v.shape(), v.ordering());
        return Kernels.reluMask(x, v, out) ? out : super.firstDerivativeTimes(x, v);
    }
}
