package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.ParamRole;

/** The LSTM layer: derivatives against finite differences, forward against a scalar reference, shapes and parameters. */
class LstmTest {

    @Test void derivativesReturnSequences() {
        new LayerDerivativeCheck(new Lstm(3, true, Init.GLOROT), 4, new long[]{3, 2}, 11, a -> a).checkAll();
    }

    @Test void derivativesLastState() {
        new LayerDerivativeCheck(new Lstm(3, false, Init.GLOROT), 4, new long[]{3, 2}, 12, a -> a).checkAll();
    }

    @Test void derivativesSingleStep() {
        new LayerDerivativeCheck(new Lstm(3, true, Init.GLOROT), 3, new long[]{1, 2}, 13, a -> a).checkAll();
        new LayerDerivativeCheck(new Lstm(3, false, Init.GLOROT), 3, new long[]{1, 2}, 14, a -> a).checkAll();
    }

    @Test void derivativesLongerSequence() {
        new LayerDerivativeCheck(new Lstm(2, false, Init.GLOROT), 2, new long[]{6, 3}, 15, a -> a).checkAll();
    }

    private static double sigmoid(double z) { return 1 / (1 + Math.exp(-z)); }

    private static double[][][] randomCube(Random rng, int a, int b, int c) {
        double[][][] out = new double[a][b][c];
        for (double[][] m : out) for (double[] r : m) for (int k = 0; k < c; k++) r[k] = rng.nextGaussian();
        return out;
    }

    private static double[][] randomMatrix(Random rng, int a, int b) { return randomCube(rng, 1, a, b)[0]; }

    /** Forward equals a step-by-step scalar evaluation of the LSTM equations with gates ordered i, f, g, o. */
    @Test void forwardMatchesScalarReference() {
        int n = 2, steps = 3, d = 2, h = 2;
        Random rng = new Random(7);
        double[][][] x = randomCube(rng, n, steps, d);
        double[][] wx = randomMatrix(rng, d, 4 * h), wh = randomMatrix(rng, h, 4 * h);
        double[] b = randomMatrix(rng, 1, 4 * h)[0];

        double[][][] expected = new double[n][steps][h];
        for (int s = 0; s < n; s++) {
            double[] hPrev = new double[h], cPrev = new double[h];
            for (int t = 0; t < steps; t++) {
                double[] hNew = new double[h], cNew = new double[h];
                for (int j = 0; j < h; j++) {
                    double[] z = new double[4];
                    for (int k = 0; k < 4; k++) {
                        int col = k * h + j;
                        double acc = b[col];
                        for (int q = 0; q < d; q++) acc += x[s][t][q] * wx[q][col];
                        for (int q = 0; q < h; q++) acc += hPrev[q] * wh[q][col];
                        z[k] = acc;
                    }
                    double in = sigmoid(z[0]), forget = sigmoid(z[1]), cand = Math.tanh(z[2]), out = sigmoid(z[3]);
                    cNew[j] = forget * cPrev[j] + in * cand;
                    hNew[j] = out * Math.tanh(cNew[j]);
                }
                expected[s][t] = hNew;
                hPrev = hNew;
                cPrev = cNew;
            }
        }

        INDArray[] theta = {Nd4j.createFromArray(wx), Nd4j.createFromArray(wh), Nd4j.createFromArray(b)};
        INDArray xs = Nd4j.createFromArray(x);
        INDArray all = new Lstm(h, true, Init.GLOROT).forward(xs, theta);
        INDArray last = new Lstm(h, false, Init.GLOROT).forward(xs, theta);
        assertArrayEquals(new long[]{n, steps, h}, all.shape());
        assertArrayEquals(new long[]{n, h}, last.shape());
        for (int s = 0; s < n; s++) {
            for (int t = 0; t < steps; t++) {
                for (int j = 0; j < h; j++) {
                    assertEquals(expected[s][t][j], all.getDouble(s, t, j), 1e-12, "h[" + s + "," + t + "," + j + "]");
                }
            }
            for (int j = 0; j < h; j++) assertEquals(expected[s][steps - 1][j], last.getDouble(s, j), 1e-12);
        }
    }

    @Test void parameterCountsAndSpecs() {
        List<ParamSpec> specs = new Lstm(4, true, Init.ORTHOGONAL).parameters(new long[]{9, 5});
        assertEquals(160, specs.stream().mapToLong(ParamSpec::length).sum());  // 5·16 + 4·16 + 16
        assertEquals(List.of("Wx", "Wh", "b"), specs.stream().map(ParamSpec::name).toList());
        assertArrayEquals(new long[]{5, 16}, specs.get(0).shape());
        assertArrayEquals(new long[]{4, 16}, specs.get(1).shape());
        assertArrayEquals(new long[]{16}, specs.get(2).shape());
        assertEquals(ParamRole.WEIGHT, specs.get(0).role());
        assertEquals(ParamRole.WEIGHT, specs.get(1).role());
        assertEquals(ParamRole.BIAS, specs.get(2).role());
        assertEquals(5, specs.get(0).fanIn());
        assertEquals(16, specs.get(0).fanOut());
        assertEquals(4, specs.get(1).fanIn());
        assertEquals(16, specs.get(1).fanOut());
        assertEquals(Init.ORTHOGONAL, specs.get(0).init());
        assertEquals(Init.ZEROS, specs.get(2).init());
    }

    @Test void outputShapes() {
        assertArrayEquals(new long[]{7, 4}, new Lstm(4, true, Init.GLOROT).outputShape(new long[]{7, 5}));
        assertArrayEquals(new long[]{4}, new Lstm(4, false, Init.GLOROT).outputShape(new long[]{7, 5}));
        Lstm layer = new Lstm(4, true, Init.GLOROT);
        INDArray[] theta = thetaFor(layer, new long[]{7, 5});
        assertArrayEquals(new long[]{3, 7, 4}, layer.forward(Nd4j.rand(DataType.DOUBLE, 3, 7, 5), theta).shape());
        INDArray[] v = thetaFor(layer, new long[]{7, 5});
        assertArrayEquals(new long[]{3, 7, 4}, layer.jvp(null, theta, v).shape());
        Lstm lastOnly = new Lstm(4, false, Init.GLOROT);
        assertArrayEquals(new long[]{3, 4}, lastOnly.forward(Nd4j.rand(DataType.DOUBLE, 3, 7, 5), theta).shape());
        INDArray[] t = lastOnly.secondTangent(Nd4j.rand(DataType.DOUBLE, 3, 7, 5), null, theta, v);
        assertArrayEquals(new long[]{3, 4}, t[0].shape());
        assertArrayEquals(new long[]{3, 4}, t[1].shape());
    }

    private static INDArray[] thetaFor(Layer layer, long[] exampleShape) {
        return layer.parameters(exampleShape).stream().map(s -> Nd4j.rand(DataType.DOUBLE, s.shape()).subi(0.5)).toArray(INDArray[]::new);
    }

    @Test void badInputShapesFailClearly() {
        Lstm layer = new Lstm(4, true, Init.GLOROT);
        IllegalArgumentException flat = assertThrows(IllegalArgumentException.class, () -> layer.parameters(new long[]{784}));
        assertTrue(flat.getMessage().contains("(time steps, features)") && flat.getMessage().contains("[784]"), flat.getMessage());
        assertThrows(IllegalArgumentException.class, () -> layer.outputShape(new long[]{1, 28, 28}));
        INDArray[] theta = thetaFor(layer, new long[]{7, 5});
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class, () -> layer.forward(Nd4j.rand(DataType.DOUBLE, 3, 35), theta));
        assertTrue(rank.getMessage().contains("[3, 35]"), rank.getMessage());
        IllegalArgumentException features = assertThrows(IllegalArgumentException.class, () -> layer.forward(Nd4j.rand(DataType.DOUBLE, 3, 7, 6), theta));
        assertTrue(features.getMessage().contains("6 features"), features.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Lstm(0, true, Init.GLOROT));
    }

    /** In an HVP pass the network calls backward right after rBackward with the same gy; the reused BPTT must match a fresh one. */
    @Test void backwardAfterRBackwardMatchesFreshBackward() {
        Lstm layer = new Lstm(3, true, Init.GLOROT);
        long[] example = {4, 2};
        INDArray[] theta = thetaFor(layer, example), v = thetaFor(layer, example);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 4, 2), dx = Nd4j.rand(DataType.DOUBLE, 2, 4, 2);
        INDArray gy = Nd4j.rand(DataType.DOUBLE, 2, 4, 3), rgy = Nd4j.rand(DataType.DOUBLE, 2, 4, 3);

        layer.forward(x, theta);
        INDArray[] freshGrads = zerosLike(theta);
        INDArray freshGx = layer.backward(gy, theta, freshGrads, true).dup();

        layer.forward(x, theta);
        layer.jvp(dx, theta, v);
        layer.rBackward(gy, rgy, theta, v, zerosLike(theta), true);
        INDArray[] grads = zerosLike(theta);
        INDArray gx = layer.backward(gy, theta, grads, true);
        assertEquals(0.0, gx.sub(freshGx).norm2Number().doubleValue(), 1e-14);
        for (int i = 0; i < theta.length; i++) assertEquals(0.0, grads[i].sub(freshGrads[i]).norm2Number().doubleValue(), 1e-14);
        assertTrue(freshGx.norm2Number().doubleValue() > 0);
    }

    private static INDArray[] zerosLike(INDArray[] a) {
        INDArray[] out = new INDArray[a.length];
        for (int i = 0; i < a.length; i++) out[i] = Nd4j.zerosLike(a[i]);
        return out;
    }
}
