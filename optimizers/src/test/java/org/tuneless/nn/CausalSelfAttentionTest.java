package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.tensor.ParamRole;

class CausalSelfAttentionTest {

    private static INDArray gaussian(Random rng, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        double[] a = new double[(int) n];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian();
        return Nd4j.createFromArray(a).reshape(shape).castTo(DataType.DOUBLE);
    }

    private static INDArray[] params(CausalSelfAttention layer, long[] example, Random rng) {
        List<ParamSpec> specs = layer.parameters(example);
        INDArray[] theta = new INDArray[specs.size()];
        for (int i = 0; i < theta.length; i++) theta[i] = gaussian(rng, specs.get(i).shape()).muli(0.5);
        return theta;
    }

    @Test void derivativesTwoHeadsWithBias() {
        new LayerDerivativeCheck(new CausalSelfAttention(2, true, Init.GLOROT), 3, new long[]{4, 6}, 11, x -> x).checkAll();
    }

    @Test void derivativesTwoHeadsWithoutBias() {
        new LayerDerivativeCheck(new CausalSelfAttention(2, false, Init.GLOROT), 3, new long[]{4, 6}, 12, x -> x).checkAll();
    }

    @Test void derivativesSingleHead() {
        new LayerDerivativeCheck(new CausalSelfAttention(1, true, Init.GLOROT), 2, new long[]{3, 4}, 13, x -> x).checkAll();
    }

    @Test void derivativesFourHeadsWidthOne() {
        // head width 1 and a longer sequence: every head's score matrix is rank one
        new LayerDerivativeCheck(new CausalSelfAttention(4, false, Init.GLOROT), 2, new long[]{5, 4}, 14, x -> x).checkAll();
    }

    /** A change of x at position t leaves the outputs at positions before t bit-for-bit unchanged, and moves t. */
    @Test void causal() {
        Random rng = new Random(3);
        long T = 5, D = 6;
        CausalSelfAttention layer = new CausalSelfAttention(3, true, Init.GLOROT);
        INDArray[] theta = params(layer, new long[]{T, D}, rng);
        INDArray x = gaussian(rng, 2, T, D);
        INDArray y = layer.forward(x, theta).dup();
        for (int t = 0; t < T; t++) {
            INDArray x2 = x.dup();
            x2.get(NDArrayIndex.all(), NDArrayIndex.point(t), NDArrayIndex.all()).addi(gaussian(rng, 2, D));
            INDArray y2 = layer.forward(x2, theta).dup();
            for (int s = 0; s < T; s++) {
                INDArray a = y.get(NDArrayIndex.all(), NDArrayIndex.point(s), NDArrayIndex.all());
                INDArray b = y2.get(NDArrayIndex.all(), NDArrayIndex.point(s), NDArrayIndex.all());
                if (s < t) assertEquals(a, b, "position " + s + " moved when x changed at " + t);
                else assertTrue(a.sub(b).norm2Number().doubleValue() > 1e-6, "position " + s + " ignores x at " + t);
            }
        }
    }

    /** The layer equals a direct per-example, per-head computation with plain matrix ops (nanoGPT column layout). */
    private static void matchesReference(int heads, boolean bias) {
        Random rng = new Random(5 + heads);
        int T = 4, D = 6, d = D / heads, B = 3;
        CausalSelfAttention layer = new CausalSelfAttention(heads, bias, Init.GLOROT);
        INDArray[] theta = params(layer, new long[]{T, D}, rng);
        INDArray wqkv = theta[0], wo = theta[bias ? 2 : 1];
        INDArray x = gaussian(rng, B, T, D);
        INDArray y = layer.forward(x, theta);
        for (int n = 0; n < B; n++) {
            INDArray xn = x.get(NDArrayIndex.point(n), NDArrayIndex.all(), NDArrayIndex.all());
            INDArray qkv = xn.mmul(wqkv);
            if (bias) qkv.addiRowVector(theta[1]);
            INDArray o = Nd4j.zeros(DataType.DOUBLE, T, D);
            for (int h = 0; h < heads; h++) {
                INDArray q = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(h * d, h * d + d));
                INDArray k = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(D + h * d, D + h * d + d));
                INDArray v = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * D + h * d, 2 * D + h * d + d));
                INDArray s = q.mmul(k.transpose()).divi(Math.sqrt(d));
                INDArray a = Nd4j.zeros(DataType.DOUBLE, T, T);
                for (int i = 0; i < T; i++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j <= i; j++) max = Math.max(max, s.getDouble(i, j));
                    for (int j = 0; j <= i; j++) sum += Math.exp(s.getDouble(i, j) - max);
                    for (int j = 0; j <= i; j++) a.putScalar(i, j, Math.exp(s.getDouble(i, j) - max) / sum);
                }
                o.get(NDArrayIndex.all(), NDArrayIndex.interval(h * d, h * d + d)).assign(a.mmul(v));
            }
            INDArray expected = o.mmul(wo);
            if (bias) expected.addiRowVector(theta[3]);
            INDArray actual = y.get(NDArrayIndex.point(n), NDArrayIndex.all(), NDArrayIndex.all());
            double err = expected.sub(actual).norm2Number().doubleValue();
            assertTrue(err < 1e-12 * Math.max(1, expected.norm2Number().doubleValue()), "example " + n + ": error " + err);
        }
    }

    @Test void singleHeadMatchesReference() { matchesReference(1, true); }

    @Test void multiHeadMatchesReference() {
        matchesReference(2, false);
        matchesReference(3, true);
    }

    @Test void parameterCountAndShapes() {
        CausalSelfAttention layer = new CausalSelfAttention(2, true, Init.GLOROT);
        List<ParamSpec> specs = layer.parameters(new long[]{5, 8});
        assertEquals(288, specs.stream().mapToLong(ParamSpec::length).sum());  // 8·24 + 24 + 8·8 + 8
        assertEquals(List.of("Wqkv", "bqkv", "Wo", "bo"), specs.stream().map(ParamSpec::name).toList());
        assertArrayEquals(new long[]{8, 24}, specs.get(0).shape());
        assertEquals(ParamRole.WEIGHT, specs.get(0).role());
        assertEquals(8, specs.get(0).fanIn());
        assertEquals(24, specs.get(0).fanOut());
        assertEquals(ParamRole.BIAS, specs.get(1).role());
        assertEquals(Init.ZEROS, specs.get(1).init());
        assertArrayEquals(new long[]{8, 8}, specs.get(2).shape());
        assertArrayEquals(new long[]{8}, specs.get(3).shape());
        List<ParamSpec> noBias = new CausalSelfAttention(4, false, Init.GLOROT).parameters(new long[]{5, 8});
        assertEquals(8 * 24 + 8 * 8, noBias.stream().mapToLong(ParamSpec::length).sum());
        assertArrayEquals(new long[]{5, 8}, layer.outputShape(new long[]{5, 8}));

        Random rng = new Random(1);
        INDArray y = layer.forward(gaussian(rng, 3, 5, 8), params(layer, new long[]{5, 8}, rng));
        assertArrayEquals(new long[]{3, 5, 8}, y.shape());
    }

    @Test void badConfigurations() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CausalSelfAttention(3, true, Init.GLOROT).parameters(new long[]{4, 8}));
        assertTrue(e.getMessage().contains("not divisible by heads = 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new CausalSelfAttention(2, true, Init.GLOROT).outputShape(new long[]{64}));
        assertTrue(e.getMessage().contains("(T, D)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CausalSelfAttention(0, true, Init.GLOROT));
        assertTrue(e.getMessage().contains("heads = 0"), e.getMessage());
    }

    /** Null tangents mean zero: the results equal those with explicit zero arrays. */
    @Test void nullTangentsAreZero() {
        Random rng = new Random(9);
        long[] example = {4, 6};
        CausalSelfAttention layer = new CausalSelfAttention(2, true, Init.GLOROT);
        INDArray[] theta = params(layer, example, rng);
        INDArray[] v = params(layer, example, rng);
        INDArray x = gaussian(rng, 2, 4, 6), gy = gaussian(rng, 2, 4, 6), zero = Nd4j.zeros(DataType.DOUBLE, 2, 4, 6);

        layer.forward(x, theta);
        INDArray[] a = layer.secondTangent(null, null, theta, v);
        INDArray[] b = layer.secondTangent(zero, zero, theta, v);
        assertEquals(b[0], a[0]);
        assertEquals(b[1], a[1]);

        INDArray[] hvA = new INDArray[theta.length], hvB = new INDArray[theta.length];
        for (int i = 0; i < theta.length; i++) {
            hvA[i] = Nd4j.zerosLike(theta[i]);
            hvB[i] = Nd4j.zerosLike(theta[i]);
        }
        layer.forward(x, theta);
        INDArray dyA = layer.jvp(null, theta, v).dup();
        INDArray rgxA = layer.rBackward(gy, null, theta, v, hvA, true).dup();
        layer.forward(x, theta);
        INDArray dyB = layer.jvp(zero, theta, v).dup();
        INDArray rgxB = layer.rBackward(gy, zero, theta, v, hvB, true).dup();
        assertEquals(dyB, dyA);
        assertEquals(rgxB, rgxA);
        for (int i = 0; i < theta.length; i++) assertEquals(hvB[i], hvA[i], "parameter " + i);
        assertTrue(rgxA.norm2Number().doubleValue() > 0);
    }

    /** Float32 with the large negative mask: finite and close to the float64 result. */
    @Test void float32IsFiniteAndAccurate() {
        Random rng = new Random(21);
        long[] example = {8, 8};
        CausalSelfAttention layer = new CausalSelfAttention(2, true, Init.GLOROT);
        INDArray[] theta = params(layer, example, rng);
        INDArray x = gaussian(rng, 2, 8, 8).muli(3);
        INDArray y64 = layer.forward(x, theta).dup();
        INDArray[] theta32 = new INDArray[theta.length];
        for (int i = 0; i < theta.length; i++) theta32[i] = theta[i].castTo(DataType.FLOAT);
        INDArray y32 = layer.forward(x.castTo(DataType.FLOAT), theta32).castTo(DataType.DOUBLE);
        assertFalse(Transforms.abs(y32).maxNumber().doubleValue() > 1e6 || Double.isNaN(y32.sumNumber().doubleValue()));
        assertTrue(y32.sub(y64).norm2Number().doubleValue() < 1e-4 * y64.norm2Number().doubleValue());
    }
}
