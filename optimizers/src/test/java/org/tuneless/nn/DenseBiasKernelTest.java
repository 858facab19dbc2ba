package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Kernels;

/**
 * A float32 dense layer whose output starts from the bias ({@code Kernels.fillRows}) and takes x·W from the GEMM with
 * β = 1, against the GEMM followed by a broadcast add ({@code Kernels.referenceOnly}) and against float64: the same
 * values to float32 rounding (the sum's rounding order differs), for flat inputs and for sequences (batch, T, in).
 */
class DenseBiasKernelTest {

    private static INDArray forward(INDArray x, INDArray w, INDArray b) {
        return new Dense(w.size(1), true, Init.ZEROS).forward(x, new INDArray[]{w, b});
    }

    private static void check(long... inShape) {
        assertTrue(Kernels.fused(), Kernels.describe());
        Nd4j.getRandom().setSeed(9);
        long in = inShape[inShape.length - 1];
        INDArray x = Nd4j.randn(DataType.FLOAT, inShape), w = Nd4j.randn(DataType.FLOAT, in, 19), b = Nd4j.randn(DataType.FLOAT, 19).muli(10);
        INDArray fused = forward(x, w, b);
        INDArray reference = Kernels.referenceOnly((Supplier<INDArray>) () -> forward(x, w, b));
        INDArray exact = forward(x.castTo(DataType.DOUBLE), w.castTo(DataType.DOUBLE), b.castTo(DataType.DOUBLE));
        double[] f = fused.reshape(fused.length()).toDoubleVector(), r = reference.reshape(reference.length()).toDoubleVector(),
                e = exact.reshape(exact.length()).toDoubleVector();
        double bound = 1e-5 * (Math.sqrt(in) + 10);  // float32 rounding of a sum of `in` products of N(0,1) and a bias of 10
        for (int i = 0; i < f.length; i++) {
            int j = i;
            assertTrue(Math.abs(f[i] - e[i]) <= bound, () -> "fused [" + j + "] " + f[j] + " vs float64 " + e[j]);
            assertTrue(Math.abs(r[i] - e[i]) <= bound, () -> "reference [" + j + "] " + r[j] + " vs float64 " + e[j]);
        }
        assertTrue(java.util.Arrays.equals(fused.shape(), exact.shape()));
    }

    @Test void flatInputs() { check(37, 23); }

    @Test void sequences() { check(3, 5, 23); }
}
