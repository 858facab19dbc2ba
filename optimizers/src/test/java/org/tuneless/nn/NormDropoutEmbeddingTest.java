package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Batch;
import org.tuneless.tensor.ParamRole;
import org.tuneless.tensor.Vectors;

/** LayerNorm, BatchNorm, Dropout, Embedding and PositionEmbedding: derivatives, values, modes, shapes and errors. */
class NormDropoutEmbeddingTest {

    private static final UnaryOperator<INDArray> AS_IS = a -> a;

    private static INDArray gaussian(Random rng, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        double[] a = new double[(int) n];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian();
        return Nd4j.createFromArray(a).reshape(shape);
    }

    private static INDArray[] thetaFor(Layer layer, long[] exampleShape, Random rng) {
        List<ParamSpec> specs = layer.parameters(exampleShape);
        INDArray[] theta = new INDArray[specs.size()];
        for (int i = 0; i < theta.length; i++) theta[i] = gaussian(rng, specs.get(i).shape());
        return theta;
    }

    private static void assertClose(INDArray expected, INDArray actual, double rel, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double scale = Math.max(1e-12, Vectors.norm(expected));
        double err = Vectors.norm(expected.sub(actual));
        assertTrue(err <= rel * scale, what + ": relative error " + err / scale);
    }

    // ---------------------------------------------------------------- LayerNorm

    @Test void layerNormFeaturesDerivatives() { new LayerDerivativeCheck(new LayerNorm(), 4, new long[]{6}, 21, AS_IS).checkAll(); }

    @Test void layerNormTokensDerivatives() { new LayerDerivativeCheck(new LayerNorm(), 3, new long[]{4, 5}, 22, AS_IS).checkAll(); }

    @Test void layerNormImageDerivatives() { new LayerDerivativeCheck(new LayerNorm(1e-3), 2, new long[]{3, 2, 2}, 23, AS_IS).checkAll(); }

    /** With g = 1, b = 0 every group (row of the reshaped batch) has mean 0 and variance σ²/(σ² + ε). */
    private static void assertStandardized(long[] example, long groups, long groupSize, long seed) {
        LayerNorm ln = new LayerNorm();
        long[] shape = new long[example.length + 1];
        shape[0] = 3;
        System.arraycopy(example, 0, shape, 1, example.length);
        Random rng = new Random(seed);
        INDArray x = gaussian(rng, shape).muli(3).addi(2);
        long c = ln.parameters(example).get(0).shape()[0];
        INDArray y = ln.forward(x, new INDArray[]{Nd4j.ones(DataType.DOUBLE, c), Nd4j.zeros(DataType.DOUBLE, c)});
        double[][] xs = x.reshape(groups, groupSize).toDoubleMatrix(), ys = y.reshape(groups, groupSize).toDoubleMatrix();
        for (int gi = 0; gi < groups; gi++) {
            double mx = 0, my = 0;
            for (int k = 0; k < groupSize; k++) { mx += xs[gi][k]; my += ys[gi][k]; }
            mx /= groupSize;
            my /= groupSize;
            double vx = 0, vy = 0;
            for (int k = 0; k < groupSize; k++) {
                vx += (xs[gi][k] - mx) * (xs[gi][k] - mx);
                vy += (ys[gi][k] - my) * (ys[gi][k] - my);
            }
            vx /= groupSize;
            vy /= groupSize;
            assertEquals(0, my, 1e-12, "group " + gi + " mean");
            assertEquals(vx / (vx + 1e-5), vy, 1e-12, "group " + gi + " variance");
            assertTrue(Math.abs(vy - 1) < 1e-5);
        }
    }

    @Test void layerNormStandardizesPerTokenAndPerExample() {
        assertStandardized(new long[]{7}, 3, 7, 1);
        assertStandardized(new long[]{4, 5}, 12, 5, 2);          // per (example, token)
        assertStandardized(new long[]{2, 3, 4}, 3, 24, 3);       // over all of (C, H, W)
    }

    @Test void layerNormImageGainAndBiasArePerChannel() {
        LayerNorm ln = new LayerNorm();
        Random rng = new Random(4);
        INDArray x = gaussian(rng, 2, 3, 2, 2);
        INDArray y0 = ln.forward(x, new INDArray[]{Nd4j.ones(DataType.DOUBLE, 3), Nd4j.zeros(DataType.DOUBLE, 3)}).dup();
        INDArray g = Nd4j.createFromArray(2.0, -1.0, 0.5), b = Nd4j.createFromArray(0.1, 0.2, 0.3);
        INDArray y = ln.forward(x, new INDArray[]{g, b});
        for (int n = 0; n < 2; n++) for (int ch = 0; ch < 3; ch++) for (int h = 0; h < 2; h++) for (int w = 0; w < 2; w++) {
            assertEquals(g.getDouble(ch) * y0.getDouble(n, ch, h, w) + b.getDouble(ch), y.getDouble(n, ch, h, w), 1e-14);
        }
    }

    // ---------------------------------------------------------------- BatchNorm

    /** A few TRAIN forwards on shifted, scaled batches so the running statistics move far from (0, 1). */
    private static void warmUp(BatchNorm bn, long[] example, long batch, long seed) {
        Random rng = new Random(seed);
        INDArray[] theta = thetaFor(bn, example, rng);
        long[] shape = new long[example.length + 1];
        shape[0] = batch;
        System.arraycopy(example, 0, shape, 1, example.length);
        bn.setMode(Layer.Mode.TRAIN);
        for (int i = 0; i < 3; i++) bn.forward(gaussian(rng, shape).muli(2).addi(1.5), theta);
        assertTrue(Math.abs(bn.buffers().get(0).meanNumber().doubleValue()) > 0.3, "running mean moved");
        assertTrue(Math.abs(bn.buffers().get(1).meanNumber().doubleValue() - 1) > 0.3, "running variance moved");
    }

    private static void checkBatchNorm(long[] example, Layer.Mode mode, long seed) {
        BatchNorm bn = new BatchNorm(0.5, 1e-5);
        if (mode == Layer.Mode.EVAL) warmUp(bn, example, 5, seed + 100);
        bn.setMode(mode);
        new LayerDerivativeCheck(bn, 5, example, seed, AS_IS).checkAll();
    }

    @Test void batchNormFeaturesTrain() { checkBatchNorm(new long[]{4}, Layer.Mode.TRAIN, 31); }

    @Test void batchNormFeaturesCurvature() { checkBatchNorm(new long[]{4}, Layer.Mode.CURVATURE, 32); }

    @Test void batchNormFeaturesEval() { checkBatchNorm(new long[]{4}, Layer.Mode.EVAL, 33); }

    @Test void batchNormImageTrain() { checkBatchNorm(new long[]{3, 2, 3}, Layer.Mode.TRAIN, 34); }

    @Test void batchNormImageCurvature() { checkBatchNorm(new long[]{3, 2, 3}, Layer.Mode.CURVATURE, 35); }

    @Test void batchNormImageEval() { checkBatchNorm(new long[]{3, 2, 3}, Layer.Mode.EVAL, 36); }

    /** Per-channel batch mean and unbiased variance over (N, H, W), by hand. */
    @Test void batchNormRunningStatisticsFollowPyTorch() {
        BatchNorm bn = new BatchNorm();
        Random rng = new Random(5);
        INDArray[] theta = thetaFor(bn, new long[]{2, 3, 2}, rng);
        INDArray x = gaussian(rng, 4, 2, 3, 2).muli(1.7).addi(0.8);
        INDArray y = bn.forward(x, theta);
        for (int ch = 0; ch < 2; ch++) {
            double sum = 0;
            int count = 0;
            for (int n = 0; n < 4; n++) for (int h = 0; h < 3; h++) for (int w = 0; w < 2; w++) { sum += x.getDouble(n, ch, h, w); count++; }
            double mean = sum / count, ss = 0, ys = 0;
            for (int n = 0; n < 4; n++) for (int h = 0; h < 3; h++) for (int w = 0; w < 2; w++) {
                ss += Math.pow(x.getDouble(n, ch, h, w) - mean, 2);
                ys += y.getDouble(n, ch, h, w);
            }
            assertEquals(0.1 * mean, bn.buffers().get(0).getDouble(ch), 1e-14, "running mean " + ch);
            assertEquals(0.9 + 0.1 * ss / (count - 1), bn.buffers().get(1).getDouble(ch), 1e-14, "running variance (unbiased) " + ch);
            assertEquals(theta[1].getDouble(ch), ys / count, 1e-12, "train-mode output mean is the bias");
        }
        // (D) inputs: statistics over the batch axis
        BatchNorm flat = new BatchNorm();
        INDArray[] th = thetaFor(flat, new long[]{3}, rng);
        INDArray xf = Nd4j.createFromArray(new double[][]{{1, 2, 3}, {3, 6, 3}});
        flat.forward(xf, th);
        assertClose(Nd4j.createFromArray(0.2, 0.4, 0.3), flat.buffers().get(0), 1e-14, "running mean (D)");
        assertClose(Nd4j.createFromArray(0.9 + 0.1 * 2, 0.9 + 0.1 * 8, 0.9), flat.buffers().get(1), 1e-14, "running var (D)");
    }

    @Test void batchNormCurvatureAndEvalLeaveRunningStatisticsAlone() {
        BatchNorm bn = new BatchNorm();
        Random rng = new Random(6);
        INDArray[] theta = thetaFor(bn, new long[]{3}, rng);
        INDArray x = gaussian(rng, 6, 3).addi(2);
        bn.setMode(Layer.Mode.CURVATURE);
        INDArray yc = bn.forward(x, theta).dup();
        assertClose(Nd4j.zeros(DataType.DOUBLE, 3), bn.buffers().get(0).add(0), 0, "mean untouched by CURVATURE");
        assertClose(Nd4j.ones(DataType.DOUBLE, 3), bn.buffers().get(1), 0, "var untouched by CURVATURE");
        bn.setMode(Layer.Mode.TRAIN);
        assertClose(yc, bn.forward(x, theta), 1e-14, "CURVATURE output equals TRAIN output");
        INDArray rm = bn.buffers().get(0).dup(), rv = bn.buffers().get(1).dup();
        bn.setMode(Layer.Mode.EVAL);
        INDArray y = bn.forward(x, theta);
        assertClose(rm, bn.buffers().get(0), 0, "mean untouched by EVAL");
        assertClose(rv, bn.buffers().get(1), 0, "var untouched by EVAL");
        for (int n = 0; n < 6; n++) for (int j = 0; j < 3; j++) {
            double expected = theta[0].getDouble(j) * (x.getDouble(n, j) - rm.getDouble(j)) / Math.sqrt(rv.getDouble(j) + 1e-5) + theta[1].getDouble(j);
            assertEquals(expected, y.getDouble(n, j), 1e-12);
        }
        // buffers are live: assigning them changes EVAL outputs
        bn.buffers().get(0).assign(x.getDouble(0, 0));
        assertEquals(theta[1].getDouble(0), bn.forward(x, theta).getDouble(0, 0), 1e-14);
    }

    @Test void batchNormBuffersExistOnceTheNetworkIsBuiltAndRejectBadConfigurations() {
        Network net = Network.builder(3, 4, 4).add(new BatchNorm()).build(DataType.DOUBLE, 0);
        List<INDArray> buffers = net.layers().get(0).buffers();
        assertEquals(2, buffers.size());
        assertArrayEquals(new long[]{3}, buffers.get(0).shape());
        assertEquals(6, net.parameterCount());
        assertEquals(14, Network.builder(7).add(new BatchNorm()).build(DataType.DOUBLE, 0).parameterCount());
        IllegalArgumentException tokens = assertThrows(IllegalArgumentException.class, () -> new BatchNorm().parameters(new long[]{4, 5}));
        assertTrue(tokens.getMessage().contains("LayerNorm"), tokens.getMessage());
        BatchNorm bn = new BatchNorm();
        INDArray[] theta = thetaFor(bn, new long[]{3}, new Random(1));
        IllegalArgumentException single = assertThrows(IllegalArgumentException.class, () -> bn.forward(Nd4j.ones(DataType.DOUBLE, 1, 3), theta));
        assertTrue(single.getMessage().contains("at least 2"), single.getMessage());
        bn.setMode(Layer.Mode.EVAL);
        assertArrayEquals(new long[]{1, 3}, bn.forward(Nd4j.ones(DataType.DOUBLE, 1, 3), theta).shape());
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm(1.5, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> new LayerNorm(0));
    }

    // ---------------------------------------------------------------- Dropout

    @Test void dropoutDerivativesWithAFrozenMask() {
        Dropout d = new Dropout(0.4, 9);
        d.freezeMask(true);
        d.forward(Nd4j.ones(DataType.DOUBLE, 4, 3, 5), new INDArray[0]);
        INDArray y = d.forward(Nd4j.ones(DataType.DOUBLE, 4, 3, 5), new INDArray[0]);
        assertTrue(y.eq(0).castTo(DataType.INT32).sumNumber().intValue() > 0, "the frozen mask drops something");
        assertEquals(y, d.forward(Nd4j.ones(DataType.DOUBLE, 4, 3, 5), new INDArray[0]), "frozen");
        new LayerDerivativeCheck(d, 4, new long[]{3, 5}, 41, AS_IS).checkAll();
    }

    @Test void dropoutIsTheIdentityOutsideTraining() {
        for (Layer.Mode mode : new Layer.Mode[]{Layer.Mode.CURVATURE, Layer.Mode.EVAL}) {
            Dropout d = new Dropout(0.5, 3);
            d.setMode(mode);
            INDArray x = gaussian(new Random(2), 4, 6);
            assertEquals(x, d.forward(x, new INDArray[0]));
            INDArray t = gaussian(new Random(3), 4, 6);
            assertEquals(t, d.jvp(t, new INDArray[0], new INDArray[0]));
            assertEquals(t, d.backward(t, new INDArray[0], null, true));
            assertEquals(t, d.rBackward(x, t, new INDArray[0], new INDArray[0], new INDArray[0], true));
            INDArray[] st = d.secondTangent(t, x, new INDArray[0], new INDArray[0]);
            assertEquals(t, st[0]);
            assertEquals(x, st[1]);
            new LayerDerivativeCheck(d, 3, new long[]{5}, 42, AS_IS).checkAll();
        }
    }

    @Test void dropoutKeepsOneMinusRateAndPreservesTheMean() {
        Dropout d = new Dropout(0.3, 11);
        INDArray x = Nd4j.ones(DataType.DOUBLE, 200, 100);
        INDArray y = d.forward(x, new INDArray[0]);
        double kept = y.neq(0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        assertEquals(0.7, kept, 0.015, "fraction kept");
        assertEquals(1.0, y.meanNumber().doubleValue(), 0.02, "mean preserved");
        assertEquals(0, y.neq(0).castTo(DataType.DOUBLE).muli(1 / 0.7).sub(y).amaxNumber().doubleValue(), 1e-12, "kept values scaled by 1/(1−rate)");
        // every derivative uses the mask of this pass
        assertEquals(y, d.backward(x, new INDArray[0], null, true));
        assertEquals(y, d.jvp(x, new INDArray[0], new INDArray[0]));
        assertEquals(y, d.rBackward(x, x, new INDArray[0], new INDArray[0], new INDArray[0], true));
        assertEquals(y, d.secondTangent(x, x, new INDArray[0], new INDArray[0])[1]);
        assertNull(d.jvp(null, new INDArray[0], new INDArray[0]));
        assertSame(x, new Dropout(0, 1).forward(x, new INDArray[0]));
    }

    @Test void dropoutMasksAreReproducibleFromTheSeed() {
        for (long seed : new long[]{0, 1, 12345}) {
            Dropout a = new Dropout(0.5, seed), b = new Dropout(0.5, seed);
            INDArray x = Nd4j.ones(DataType.DOUBLE, 8, 50);
            INDArray a1 = a.forward(x, new INDArray[0]).dup(), a2 = a.forward(x, new INDArray[0]).dup();
            INDArray b1 = b.forward(x, new INDArray[0]).dup(), b2 = b.forward(x, new INDArray[0]).dup();
            assertEquals(a1, b1, "seed " + seed + " first mask");
            assertEquals(a2, b2, "seed " + seed + " second mask");
            assertFalse(a1.equals(a2), "seed " + seed + ": a new mask per forward");
            assertEquals(a1, ((Dropout) a.freshCopy()).forward(x, new INDArray[0]), "freshCopy restarts the sequence");
        }
        INDArray x = Nd4j.ones(DataType.DOUBLE, 8, 50);
        assertFalse(new Dropout(0.5, 1).forward(x, new INDArray[0]).equals(new Dropout(0.5, 2).forward(x, new INDArray[0])));
        for (double bad : new double[]{1, -0.1, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dropout(bad, 0));
            assertTrue(e.getMessage().contains("[0, 1)"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- Embedding

    private static final INDArray[] NONE = new INDArray[0];

    @Test void embeddingGathersRows() {
        Embedding emb = new Embedding(5, 3, Init.GLOROT);
        INDArray e = gaussian(new Random(7), 5, 3);
        INDArray ids = Nd4j.createFromArray(new double[][]{{0, 4, 4, 2}, {1, 1, 3, 0}});
        INDArray y = emb.forward(ids, new INDArray[]{e});
        assertArrayEquals(new long[]{2, 4, 3}, y.shape());
        for (int n = 0; n < 2; n++) for (int t = 0; t < 4; t++) {
            assertEquals(e.getRow(ids.getInt(n, t)), y.get(org.nd4j.linalg.indexing.NDArrayIndex.point(n), org.nd4j.linalg.indexing.NDArrayIndex.point(t),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()));
        }
        // scatter-add with repeated ids: row k of ∂L/∂E is the sum of gy over the tokens with id k
        INDArray gy = gaussian(new Random(8), 2, 4, 3);
        INDArray[] grads = {Nd4j.zeros(DataType.DOUBLE, 5, 3)};
        assertNull(emb.backward(gy, new INDArray[]{e}, grads, true));
        INDArray expected = Nd4j.zeros(DataType.DOUBLE, 5, 3);
        for (int n = 0; n < 2; n++) for (int t = 0; t < 4; t++) {
            INDArray row = expected.getRow(ids.getInt(n, t));
            for (int j = 0; j < 3; j++) row.putScalar(j, row.getDouble(j) + gy.getDouble(n, t, j));
        }
        assertClose(expected, grads[0], 1e-14, "scatter-add");
    }

    /** Backward, jvp, R-op and second tangent along a parameter direction V, against finite differences. */
    @Test void embeddingDerivativesAlongTheTable() {
        Embedding emb = new Embedding(6, 4, Init.GLOROT);
        Random rng = new Random(9);
        INDArray ids = Nd4j.createFromArray(new double[][]{{0, 5, 5, 2, 1}, {3, 3, 3, 0, 4}, {2, 2, 1, 1, 0}});
        INDArray e = gaussian(rng, 6, 4), v = gaussian(rng, 6, 4);
        INDArray c = gaussian(rng, 3, 5, 4), d = gaussian(rng, 3, 5, 4).muli(0.5);
        double h = 1e-5;
        // probe L = Σ c⊙y + ½ Σ d⊙y²
        java.util.function.DoubleFunction<INDArray> y = t -> emb.forward(ids, new INDArray[]{e.add(v.mul(t))}).dup();
        java.util.function.Function<INDArray, Double> probe = out -> Vectors.dot(c, out) + 0.5 * Vectors.dot(d, out.mul(out));
        java.util.function.DoubleFunction<INDArray> grad = t -> {
            INDArray out = emb.forward(ids, new INDArray[]{e.add(v.mul(t))});
            INDArray[] g = {Nd4j.zeros(DataType.DOUBLE, 6, 4)};
            emb.backward(c.add(d.mul(out)), new INDArray[]{e.add(v.mul(t))}, g, false);
            return g[0];
        };
        double fd = (probe.apply(y.apply(h)) - probe.apply(y.apply(-h))) / (2 * h);
        assertEquals(fd, Vectors.dot(grad.apply(0), v), 1e-7 * Math.max(1, Math.abs(fd)), "backward");

        INDArray y0 = emb.forward(ids, new INDArray[]{e});
        INDArray dy = emb.jvp(gaussian(rng, 3, 5), new INDArray[]{e}, new INDArray[]{v});  // the input tangent is ignored
        assertClose(y.apply(h).sub(y.apply(-h)).divi(2 * h), dy, 1e-8, "jvp");

        y0 = emb.forward(ids, new INDArray[]{e});
        dy = emb.jvp(null, new INDArray[]{e}, new INDArray[]{v});
        INDArray[] hv = {Nd4j.zeros(DataType.DOUBLE, 6, 4)};
        assertNull(emb.rBackward(c.add(d.mul(y0)), d.mul(dy), new INDArray[]{e}, new INDArray[]{v}, hv, true));
        assertClose(grad.apply(h).sub(grad.apply(-h)).divi(2 * h), hv[0], 1e-7, "R-op");
        assertTrue(Vectors.norm(hv[0]) > 0);

        emb.forward(ids, new INDArray[]{e});
        INDArray[] st = emb.secondTangent(null, null, new INDArray[]{e}, new INDArray[]{v});
        assertClose(dy, st[0], 1e-14, "second tangent (first order)");
        assertNull(st[1], "second tangent (second order) is zero: linear in E");
        INDArray second = y.apply(1e-3).add(y.apply(-1e-3)).subi(y.apply(0).mul(2));
        assertTrue(Vectors.norm(second) < 1e-12, "output is linear in E");
    }

    @Test void embeddingRejectsBadIdsAndShapes() {
        Embedding emb = new Embedding(4, 2, Init.GLOROT);
        INDArray[] e = {Nd4j.zeros(DataType.DOUBLE, 4, 2)};
        for (double bad : new double[]{-1, 4, 7}) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> emb.forward(Nd4j.createFromArray(new double[][]{{0, bad}}), e));
            assertTrue(ex.getMessage().contains("[0, 4)"), ex.getMessage());
        }
        IllegalArgumentException frac = assertThrows(IllegalArgumentException.class, () -> emb.forward(Nd4j.createFromArray(new double[][]{{0, 1.5}}), e));
        assertTrue(frac.getMessage().contains("whole numbers"), frac.getMessage());
        assertThrows(IllegalArgumentException.class, () -> emb.parameters(new long[]{3, 4}));
        assertThrows(IllegalArgumentException.class, () -> new Embedding(0, 3, Init.GLOROT));
    }

    // ---------------------------------------------------------------- PositionEmbedding

    @Test void positionEmbeddingDerivatives() { new LayerDerivativeCheck(new PositionEmbedding(Init.GLOROT), 3, new long[]{4, 5}, 51, AS_IS).checkAll(); }

    @Test void positionEmbeddingAddsPerPosition() {
        PositionEmbedding pe = new PositionEmbedding(Init.ZEROS);
        INDArray p = gaussian(new Random(1), 3, 2), x = gaussian(new Random(2), 4, 3, 2);
        INDArray y = pe.forward(x, new INDArray[]{p});
        for (int n = 0; n < 4; n++) for (int t = 0; t < 3; t++) for (int j = 0; j < 2; j++) {
            assertEquals(x.getDouble(n, t, j) + p.getDouble(t, j), y.getDouble(n, t, j), 1e-15);
        }
        assertThrows(IllegalArgumentException.class, () -> pe.parameters(new long[]{6}));
    }

    // ---------------------------------------------------------------- shapes, counts, roles, whole networks

    @Test void parameterCountsShapesAndRoles() {
        Network ln = Network.builder(3, 4).add(new LayerNorm()).build(DataType.DOUBLE, 0);
        assertEquals(8, ln.parameterCount());
        assertClose(Nd4j.ones(DataType.DOUBLE, 4), ln.layout().view(ln.parameters(), "layernorm0.g"), 0, "gain init ones");
        assertEquals(ParamRole.GAIN, ln.layers().get(0).parameters(new long[]{3, 4}).get(0).role());
        assertEquals(6, Network.builder(3, 4, 5).add(new LayerNorm()).build(DataType.DOUBLE, 0).parameterCount());
        assertEquals(10, Network.builder(5).add(new LayerNorm()).build(DataType.DOUBLE, 0).parameterCount());

        Network lm = Network.builder(5).add(new Embedding(10, 4, Init.GLOROT)).add(new PositionEmbedding(Init.GLOROT)).add(new LayerNorm())
                .build(DataType.DOUBLE, 0);
        assertEquals(10 * 4 + 5 * 4 + 2 * 4, lm.parameterCount());
        assertArrayEquals(new long[]{5, 4}, lm.outputShape());
        assertEquals(ParamRole.WEIGHT, lm.layout().tensors().get(0).role());
        assertEquals(ParamRole.BIAS, lm.layout().tensors().get(1).role());
        assertArrayEquals(new long[]{3, 7, 2}, new Dropout(0.1, 0).outputShape(new long[]{3, 7, 2}));
        assertEquals(0, Network.builder(3, 7).add(new Dropout(0.1, 0)).build(DataType.DOUBLE, 0).parameterCount());
    }

    private static void assertHvpMatchesGradientDifferences(Network net, Batch b, long seed) {
        Loss loss = new SoftmaxCrossEntropy();
        int n = (int) net.parameterCount();
        INDArray v = NetworkCurvatureTest.gaussian(n, seed);
        INDArray hv = Nd4j.zeros(DataType.DOUBLE, n);
        net.hvp(loss, b, v, hv, null);
        double h = 1e-5;
        INDArray fdHv = NetworkCurvatureTest.gradientDifference(net, loss, b, v, h);
        INDArray fd = fdHv;
        assertTrue(Vectors.norm(fd.sub(hv)) <= 1e-6 * Vectors.norm(fd), "network HVP vs finite differences: " + Vectors.norm(fd.sub(hv)) / Vectors.norm(fd));
        assertEquals(Vectors.dot(v, hv), net.curvatureAlong(loss, b, v), 1e-9 * Math.max(1, Math.abs(Vectors.dot(v, hv))), "uᵀHu");
    }

    @Test void tokenModelHvpMatchesFiniteDifferences() {
        Network net = Network.builder(5).add(new Embedding(7, 4, Init.GLOROT)).add(new PositionEmbedding(Init.GLOROT)).add(new LayerNorm())
                .tanh().flatten().dense(3).build(DataType.DOUBLE, 3);
        Random rng = new Random(4);
        double[][] ids = new double[6][5], t = new double[6][3];
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 5; j++) ids[i][j] = rng.nextInt(7);
            t[i][rng.nextInt(3)] = 1;
        }
        assertHvpMatchesGradientDifferences(net, new Batch(Nd4j.createFromArray(ids), Nd4j.createFromArray(t)), 5);
    }

    @Test void batchNormNetworkHvpMatchesFiniteDifferences() {
        Network net = Network.builder(5).dense(4).add(new BatchNorm()).tanh().dense(3).build(DataType.DOUBLE, 6);
        assertHvpMatchesGradientDifferences(net, NetworkCurvatureTest.batch(8, 5, 3, 7), 8);
    }

    /** All five layers inside the network's workspaces, in float32, over several passes; float32 agrees with float64. */
    @Test void everyLayerRunsInsideNetworkPassesInFloat32() {
        Network net64 = Network.builder(6).add(new Embedding(9, 8, Init.GLOROT)).add(new PositionEmbedding(Init.GLOROT)).add(new LayerNorm())
                .add(new Dropout(0.2, 3)).flatten().dense(16).add(new BatchNorm()).tanh().dense(3).build(DataType.DOUBLE, 1);
        Network net32 = net64.copy(DataType.FLOAT);
        Random rng = new Random(2);
        double[][] ids = new double[10][6], t = new double[10][3];
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 6; j++) ids[i][j] = rng.nextInt(9);
            t[i][rng.nextInt(3)] = 1;
        }
        Batch b = new Batch(Nd4j.createFromArray(ids), Nd4j.createFromArray(t));
        Loss loss = new SoftmaxCrossEntropy();
        long n = net64.parameterCount();
        INDArray g32 = Nd4j.zeros(DataType.FLOAT, n), h32 = Nd4j.zeros(DataType.FLOAT, n);
        for (int pass = 0; pass < 3; pass++) {  // TRAIN: fresh dropout masks, running statistics updated
            assertTrue(Double.isFinite(net32.lossAndGradient(loss, b, g32)));
            assertTrue(Vectors.norm(g32) > 0);
        }
        INDArray running = net32.layers().get(6).buffers().get(0);
        assertTrue(Vectors.norm(running) > 0, "running mean updated by TRAIN passes");
        for (Network net : new Network[]{net32, net64}) {
            for (Layer l : net.layers()) l.setMode(Layer.Mode.CURVATURE);
        }
        INDArray v = NetworkCurvatureTest.gaussian(n, 4);
        INDArray g64 = Nd4j.zeros(DataType.DOUBLE, n), h64 = Nd4j.zeros(DataType.DOUBLE, n);
        double l64 = net64.hvp(loss, b, v, h64, g64);
        double l32 = net32.hvp(loss, b, v.castTo(DataType.FLOAT), h32, g32);
        assertEquals(l64, l32, 1e-5 * l64);
        assertTrue(Vectors.norm(g64.sub(g32.castTo(DataType.DOUBLE))) < 1e-4 * Vectors.norm(g64), "gradient float32 vs float64");
        assertTrue(Vectors.norm(h64.sub(h32.castTo(DataType.DOUBLE))) < 1e-3 * Vectors.norm(h64), "HVP float32 vs float64");
        assertEquals(net64.curvatureAlong(loss, b, v), net32.curvatureAlong(loss, b, v.castTo(DataType.FLOAT)), 1e-3 * Math.abs(Vectors.dot(v, h64)));
        for (Layer l : net32.layers()) l.setMode(Layer.Mode.EVAL);
        assertArrayEquals(new long[]{10, 3}, net32.predict(b.inputs()).shape());
    }
}
