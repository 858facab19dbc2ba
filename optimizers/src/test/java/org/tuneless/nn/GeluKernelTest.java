package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Kernels;

/**
 * GELU in float32 on the fused Φ/φ kernel ({@code Kernels.normalCdfPdf}) against the same layer on ND4J's erf and exp
 * ({@code Kernels.referenceOnly}), and both against float64: value, input gradient, tangent and R-backward agree to
 * float32 precision (the layer's float64 finite-difference checks are in NormDropoutEmbeddingTest and ModelZooTest).
 */
class GeluKernelTest {

    private static final INDArray[] NONE = new INDArray[0];

    /** [σ(x), σ'(x)·gy, σ'(x)·dx, R-backward] of a fresh GELU on x (any dtype), as float64 arrays. */
    private static double[][] passes(INDArray x, INDArray gy, INDArray dx) {
        Gelu g = new Gelu();
        INDArray y = g.forward(x, NONE);
        INDArray back = g.backward(gy, NONE, null, true);
        INDArray tangent = g.jvp(dx, NONE, NONE);
        INDArray r = g.rBackward(gy, gy.mul(0.5), NONE, NONE, null, true);
        return new double[][]{flat(y), flat(back), flat(tangent), flat(r)};
    }

    private static double[] flat(INDArray a) {
        return a.dup('c').reshape(a.length()).toDoubleVector();
    }

    private static void close(double[][] a, double[][] b, double rel, String what) {
        KernelComparisons.close(a, b, rel, what, "value", "input gradient", "tangent", "R-backward");
    }

    @Test void fusedFloat32GeluMatchesNd4jAndFloat64() {
        assertTrue(Kernels.fused(), Kernels.describe());
        Nd4j.getRandom().setSeed(3);
        INDArray x64 = Nd4j.randn(DataType.DOUBLE, 16, 37).muli(3), gy64 = Nd4j.randn(DataType.DOUBLE, 16, 37), dx64 = Nd4j.randn(DataType.DOUBLE, 16, 37);
        INDArray x = x64.castTo(DataType.FLOAT), gy = gy64.castTo(DataType.FLOAT), dx = dx64.castTo(DataType.FLOAT);
        double[][] fused = passes(x, gy, dx);
        double[][] nd4j = Kernels.referenceOnly((Supplier<double[][]>) () -> passes(x, gy, dx));
        double[][] exact = passes(x.castTo(DataType.DOUBLE), gy.castTo(DataType.DOUBLE), dx.castTo(DataType.DOUBLE));
        close(fused, exact, 2e-6, "fused vs float64");
        close(nd4j, exact, 2e-6, "ND4J float32 vs float64");
        close(fused, nd4j, 2e-6, "fused vs ND4J float32");
        assertTrue(!java.util.Arrays.equals(fused[0], nd4j[0]), "fused and ND4J values are bit-identical; the kernel was not used");
    }
}
