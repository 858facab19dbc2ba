package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Kernels;

/**
 * The cross-entropy loss in float32 on the fused kernels ({@code Kernels.softmaxCrossEntropy}, {@code differenceOver},
 * {@code softmaxHessianTimes}) against the same loss on ND4J ops ({@code Kernels.referenceOnly}) and both against
 * float64: value, gradient and Hessian-vector product, for a classifier's (batch, 10) logits and a language model's
 * (batch, T, vocab) logits through {@link Loss#evaluateRows}.
 */
class SoftmaxCrossEntropyKernelTest {

    /** [value, gradient, H·dy] as float64 arrays. */
    private static double[][] evaluate(INDArray y, INDArray t, INDArray dy) {
        Loss.Evaluation e = Loss.evaluateRows(new SoftmaxCrossEntropy(), y, t);
        return new double[][]{{e.value()}, flat(e.gradient()), flat(e.hessianTimes(dy))};
    }

    private static double[] flat(INDArray a) { return a.dup('c').reshape(a.length()).toDoubleVector(); }

    private static void close(double[][] a, double[][] b, double rel, String what) {
        KernelComparisons.close(a, b, rel, what, "value", "gradient", "Hessian-vector product");
    }

    private static void check(long... shape) {
        assertTrue(Kernels.fused(), Kernels.describe());
        Nd4j.getRandom().setSeed(5);
        INDArray y64 = Nd4j.randn(DataType.DOUBLE, shape).muli(4);
        int k = (int) shape[shape.length - 1];
        y64.reshape('c', y64.length() / k, k).getRow(1).addi(500);  // a row far from zero: logsumexp must shift by its max
        INDArray t64 = Nd4j.zeros(DataType.DOUBLE, shape);
        INDArray tRows = t64.reshape('c', t64.length() / k, k);
        for (int i = 0; i < tRows.rows(); i++) tRows.putScalar(i, (i * 7L) % k, 1.0);
        INDArray dy64 = Nd4j.randn(DataType.DOUBLE, shape);
        INDArray y = y64.castTo(DataType.FLOAT), t = t64.castTo(DataType.FLOAT), dy = dy64.castTo(DataType.FLOAT);
        double[][] fused = evaluate(y, t, dy);
        double[][] nd4j = Kernels.referenceOnly((Supplier<double[][]>) () -> evaluate(y, t, dy));
        double[][] exact = evaluate(y.castTo(DataType.DOUBLE), t.castTo(DataType.DOUBLE), dy.castTo(DataType.DOUBLE));
        String at = java.util.Arrays.toString(shape);
        close(fused, exact, 1e-6, at + " fused vs float64");
        close(nd4j, exact, 2e-5, at + " ND4J float32 vs float64");
        close(fused, nd4j, 2e-5, at + " fused vs ND4J float32");
        // the fused value is summed in float64: closer to float64 than float32 sums of rows can be
        assertEquals(exact[0][0], fused[0][0], 1e-9 * Math.abs(exact[0][0]), at + " value");
        assertTrue(!java.util.Arrays.equals(fused[1], nd4j[1]) || fused[0][0] != nd4j[0][0], at + ": fused and ND4J results are identical; the kernels were not used");
    }

    @Test void classifierLogits() { check(33, 10); }

    @Test void languageModelLogits() { check(4, 9, 67); }
}
