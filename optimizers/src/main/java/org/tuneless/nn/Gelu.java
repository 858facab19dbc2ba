package org.tuneless.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exact GELU σ(x) = x·Φ(x) (PyTorch's default, not the tanh approximation):
 * σ' = Φ(x) + x·φ(x), σ'' = φ(x)·(2 − x²), with φ the standard normal density.
 */
public final class Gelu extends ElementwiseActivation {

    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    @Override public Layer freshCopy() { return new Gelu(); }

    @Override public String kind() { return "gelu"; }

    private static INDArray cdf(INDArray x) {
        INDArray z = x.mul(INV_SQRT2);
        Nd4j.exec(new Erf(z, z));
        return z.addi(1.0).muli(0.5);
    }

    private static INDArray pdf(INDArray x) {
        return Transforms.exp(x.mul(x).muli(-0.5), false).muli(INV_SQRT_2PI);
    }

    @Override protected INDArray value(INDArray x) { return cdf(x).muli(x); }

    @Override protected INDArray firstDerivative(INDArray x) { return pdf(x).muli(x).addi(cdf(x)); }

    @Override protected INDArray secondDerivative(INDArray x) { return x.mul(x).rsubi(2.0).muli(pdf(x)); }
}
