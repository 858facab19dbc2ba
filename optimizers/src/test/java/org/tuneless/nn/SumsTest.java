package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Kernels;

/**
 * {@link Sums} in float32, where column sums run on the fused kernel ({@code Kernels.columnSums}), against ND4J's own
 * reduction in float64 and against the ones-vector GEMM path ({@code Kernels.referenceOnly}); and a dense layer's bias
 * gradient, which takes the same kernel.
 */
class SumsTest {

    private static double[] flat(INDArray a) { return a.dup('c').reshape(a.length()).castTo(DataType.DOUBLE).toDoubleVector(); }

    private static void close(double[] expected, double[] actual, double rel, String what) {
        double scale = 0;
        for (double x : expected) scale = Math.max(scale, Math.abs(x));
        assertTrue(scale > 0, what);
        for (int i = 0; i < expected.length; i++) {
            final int k = i;
            assertTrue(Math.abs(expected[i] - actual[i]) <= rel * scale, () -> what + "[" + k + "]: " + actual[k] + " vs " + expected[k]);
        }
    }

    @Test void float32SumsOnTheKernelMatchFloat64AndTheGemmPath() {
        assertTrue(Kernels.fused(), Kernels.describe());
        Nd4j.getRandom().setSeed(3);
        // (summed, kept): bias gradients over rows; (summed, kept, summed): per channel over (N, H, W) in NCHW
        long[][] shapes = {{128, 37}, {64, 12, 96}, {8, 5, 7, 7}};
        int[][] dims = {{0}, {0, 1}, {0, 2, 3}};
        for (int k = 0; k < shapes.length; k++) {
            INDArray x64 = Nd4j.randn(DataType.DOUBLE, shapes[k]).addi(0.3), x = x64.castTo(DataType.FLOAT);
            double[] exact = flat(x64.sum(true, dims[k]));
            final INDArray xx = x;
            final int[] d = dims[k];
            double[] fused = flat(Sums.sum(x, d)), gemm = flat(Kernels.referenceOnly(() -> Sums.sum(xx, d)));
            String what = java.util.Arrays.toString(shapes[k]);
            close(exact, fused, 1e-5, what + " fused vs float64");
            close(gemm, fused, 1e-5, what + " fused vs GEMM");
        }
    }

    @Test void denseBiasGradientOnTheKernelEqualsTheRowOrderSums() {
        Nd4j.getRandom().setSeed(4);
        Dense d = new Dense(20, true, Init.GLOROT);
        d.bind(new long[]{9});
        INDArray x = Nd4j.randn(DataType.FLOAT, 33, 9), w = Nd4j.randn(DataType.FLOAT, 9, 20), b = Nd4j.randn(DataType.FLOAT, 20),
                gy = Nd4j.randn(DataType.FLOAT, 33, 20);
        INDArray[] theta = {w, b}, grads = {Nd4j.zeros(DataType.FLOAT, 9, 20), Nd4j.zeros(DataType.FLOAT, 20)};
        d.forward(x, theta);
        d.backward(gy, theta, grads, false);
        float[] g = gy.dup('c').reshape(gy.length()).toFloatVector(), expected = new float[20];
        for (int j = 0; j < 20; j++) {
            float s = g[j];
            for (int r = 1; r < 33; r++) s += g[r * 20 + j];
            expected[j] = s;
        }
        assertArrayEquals(expected, grads[1].toFloatVector(), "the bias gradient is the column sums of gy, rows in order");
    }
}
