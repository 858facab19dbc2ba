package org.tuneless.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.tensor.Kernels;

/**
 * Exact GELU σ(x) = x·Φ(x) (PyTorch's default, not the tanh approximation):
 * σ' = Φ(x) + x·φ(x), σ'' = φ(x)·(2 − x²), with φ the standard normal density.
 *
 * <p>Φ(x) (from the forward) and φ(x) (from the first derivative that needs it) are kept for the rest of the pass, so
 * backward, tangents and R-op evaluate no {@code erf}/{@code exp} again. They are keyed by the identity of the input
 * array and recomputed by every forward, which starts each pass.
 */
public final class Gelu extends ElementwiseActivation {

    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    // per-pass caches (valid inside the pass's workspace), for the input array `of`
    private INDArray of;
    private INDArray cdf;
    private INDArray pdf;

    @Override public Layer freshCopy() { return new Gelu(); }

    @Override public String kind() { return "gelu"; }

    private static INDArray computeCdf(INDArray x) {
        INDArray z = x.mul(INV_SQRT2);
        Nd4j.exec(new Erf(z, z));
        return z.addi(1.0).muli(0.5);
    }

    private static INDArray computePdf(INDArray x) {
        return Transforms.exp(x.mul(x).muli(-0.5), false).muli(INV_SQRT_2PI);
    }

    private INDArray cdf(INDArray x) {
        if (x != of) { of = x; cdf = null; pdf = null; }
        if (cdf == null && !fused(x)) cdf = computeCdf(x);
        return cdf;
    }

    private INDArray pdf(INDArray x) {
        if (x != of) { of = x; cdf = null; pdf = null; }
        if (pdf == null && !fused(x)) pdf = computePdf(x);
        return pdf;
    }

    /** float32: Φ and φ together in one vectorized pass (tensor.Kernels.normalCdfPdf); float64 keeps erf/exp exact. */
    private boolean fused(INDArray x) {
        if (!Kernels.appliesTo(x)) return false;
        INDArray c = Nd4j.createUninitialized(x.dataType(), x.shape()), p = Nd4j.createUninitialized(x.dataType(), x.shape());
        if (!Kernels.normalCdfPdf(x.ordering() == 'c' ? x : x.dup('c'), c, p)) return false;
        cdf = c;
        pdf = p;
        return true;
    }

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        of = null;  // a new pass: drop the previous pass's Φ, φ (their workspace may be gone)
        cdf = null;
        pdf = null;
        return super.forward(x, theta);
    }

    @Override protected INDArray value(INDArray x) { return cdf(x).mul(x); }

    @Override protected INDArray firstDerivative(INDArray x) { return pdf(x).mul(x).addi(cdf(x)); }

    @Override protected INDArray secondDerivative(INDArray x) { return x.mul(x).rsubi(2.0).muli(pdf(x)); }
}
