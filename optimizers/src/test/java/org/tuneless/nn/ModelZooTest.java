package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Batch;
import org.tuneless.optim.Adam;
import org.tuneless.optim.StepContext;
import org.tuneless.tensor.Vectors;

/**
 * The model zoo: parameter counts against hand computation, whole-model HVPs against finite differences of the
 * gradient (float64, tiny configurations), and a few training steps that lower the loss.
 */
class ModelZooTest {

    private static final long[] FASHION = {1, 28, 28};

    // ------------------------------------------------------------ parameter counts (hand-computed in comments)

    @Test void cnnParameterCount() {
        // conv 1·32·9+32 = 320; conv 32·64·9+64 = 18,496; dense 64·7·7·128+128 = 401,536; dense 128·10+10 = 1,290
        Network net = Models.cnn(FASHION, 10).build(DataType.FLOAT, 0);
        assertEquals(320 + 18_496 + 401_536 + 1_290, net.parameterCount());
        assertArrayEquals(new long[]{10}, net.outputShape());
    }

    @Test void resnetParameterCounts() {
        // torchvision-style CIFAR ResNet-18 with BN on 3 channels has 11,173,962 parameters; one input channel saves 2·64·9
        assertEquals(11_173_962 - 2 * 64 * 9, Models.resnet18(FASHION, 10, Models.Norm.BATCH).build(DataType.FLOAT, 0).parameterCount());
        // layer norm has the same per-channel gain and bias as batch norm
        assertEquals(11_173_962 - 2 * 64 * 9, Models.resnet18(FASHION, 10, Models.Norm.LAYER).build(DataType.FLOAT, 0).parameterCount());
        // no norm: drop the 9,600 BN gains/biases, add one bias per conv output channel (4,800)
        assertEquals(11_173_962 - 1_152 - 9_600 + 4_800, Models.resnet18(FASHION, 10, Models.Norm.NONE).build(DataType.FLOAT, 0).parameterCount());
        // CIFAR ResNet-34 with BN: 21,282,122 on 3 channels
        assertEquals(21_282_122 - 1_152, Models.resnet34(FASHION, 10, Models.Norm.BATCH).build(DataType.FLOAT, 0).parameterCount());
    }

    @Test void normFreeResnetStartsWellScaled() {
        // He init alone gives loss ≈ 5.3 and ‖g‖ ≈ 150 here; zero-initialized residual branches start every block as the identity
        Network net = Models.resnet18(FASHION, 10, Models.Norm.NONE).build(DataType.FLOAT, 0);
        Batch b = org.tuneless.data.FashionMnist.embedded().train().subset(16).fullBatch();
        INDArray g = Nd4j.zeros(DataType.FLOAT, net.parameterCount());
        double loss = net.lossAndGradient(new SoftmaxCrossEntropy(), b, g);
        assertTrue(loss > 1.5 && loss < 3.5, "initial loss " + loss + " (ln 10 = 2.30)");
        assertTrue(Vectors.norm(g) < 50, "initial gradient norm " + Vectors.norm(g));
    }

    @Test void mixerParameterCount() {
        // 49 tokens of 16: patch dense 16·128+128; per block LN 256 + 49·64+64 + 64·49+49 + LN 256 + 128·256+256 + 256·128+128
        long block = 256 + (49 * 64 + 64) + (64 * 49 + 49) + 256 + (128 * 256 + 256) + (256 * 128 + 128);
        Network net = Models.mlpMixer(Models.Size.TINY, 4, FASHION, 10).build(DataType.FLOAT, 0);
        assertEquals((16 * 128 + 128) + 4 * block + 256 + (128 * 10 + 10), net.parameterCount());
    }

    @Test void vitTinyParameterCount() {
        // 16 tokens of 49: patch dense, positions 16·192; 12 blocks of LN, qkv (192·576+576), out (192·192+192), LN, MLP 192→768→192
        long block = 384 + (192 * 576 + 576) + (192 * 192 + 192) + 384 + (192 * 768 + 768) + (768 * 192 + 192);
        Network net = Models.vitTiny(7, FASHION, 10).build(DataType.FLOAT, 0);
        assertEquals((49 * 192 + 192) + 16 * 192 + 12 * block + 384 + (192 * 10 + 10), net.parameterCount());
    }

    @Test void nanoLMParameterCountAndShapes() {
        // vocab 96, dim 128, context 64: embeddings 96·128 + 64·128; per block LN, qkv, out, LN, MLP 128→512→128; LN; head
        long block = 256 + (128 * 384 + 384) + (128 * 128 + 128) + 256 + (128 * 512 + 512) + (512 * 128 + 128);
        Network net = Models.nanoLM(2, 128, 4, 64, 96).build(DataType.FLOAT, 0);
        assertEquals(96 * 128 + 64 * 128 + 2 * block + 256 + (128 * 96 + 96), net.parameterCount());
        assertArrayEquals(new long[]{64, 96}, net.outputShape());
    }

    @Test void lstmParameterCount() {
        Network net = Models.lstm(new long[]{28, 28}, 128, 10).build(DataType.FLOAT, 0);
        assertEquals(28 * 512 + 128 * 512 + 512 + 128 * 10 + 10, net.parameterCount());
    }

    @Test void modelsByName() {
        for (String name : new String[]{"cnn", "resnet18", "resnet34", "mixer", "vit", "lstm"}) {
            Network net = Models.byName(name, new long[]{784}, 10, false).build(DataType.FLOAT, 0);
            assertArrayEquals(new long[]{10}, net.outputShape(), name);
        }
        assertArrayEquals(new long[]{32, 50}, Models.byName("nanolm", new long[]{32}, 50, true).build(DataType.FLOAT, 0).outputShape());
        assertArrayEquals(new long[]{32, 50}, Models.byName("lstm", new long[]{32}, 50, true).build(DataType.FLOAT, 0).outputShape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.byName("resnet50", new long[]{784}, 10, false));
        assertTrue(e.getMessage().contains("valid: mlp, cnn, resnet18"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Models.byName("nanolm", new long[]{784}, 10, false));
        assertTrue(e.getMessage().contains("text"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Models.byName("resnet18:group", new long[]{784}, 10, false));
        assertTrue(e.getMessage().contains("valid: batch, layer, none"), e.getMessage());
    }

    @Test void summaryListsBlocksAndTotal() {
        Network net = tinyResnet(Models.Norm.BATCH);
        String s = net.summary(true);
        assertTrue(s.contains("residual0") && s.contains("\n  body") && s.contains("\n    conv2d1") && s.contains("\n  shortcut"), s);
        assertTrue(s.contains(String.format("total parameters: %,d", net.parameterCount())), s);
    }

    // ------------------------------------------------------------ tiny configurations for derivative checks

    static Network tinyResnet(Models.Norm norm) {
        Network net = Models.resnet("tiny-resnet", new int[]{1, 1}, new long[]{2, 6, 6}, 3, norm, 3).build(DataType.DOUBLE, 5);
        if (norm == Models.Norm.NONE) {
            // zero-initialized residual branches make relu(x + 0) sit on ReLU kinks wherever x = 0, where finite
            // differences are not valid: move the parameters off the initialization
            net.parameters().addi(NetworkCurvatureTest.gaussian(net.parameterCount(), 21).muli(0.1));
        }
        return net;
    }

    static Network tinyMixer() {
        return Models.mlpMixer(2, 1, 6, 5, 7, new long[]{1, 4, 4}, 3).build(DataType.DOUBLE, 6);
    }

    static Network tinyVit() {
        return Models.vit(2, 8, 1, 2, new long[]{1, 4, 4}, 3).build(DataType.DOUBLE, 7);
    }

    static Network tinyNanoLM() {
        return Models.nanoLM(1, 8, 2, 5, 6).build(DataType.DOUBLE, 8);
    }

    static Network tinyLstmLM() {
        return Models.lstmLM(4, 5, 3, 4).build(DataType.DOUBLE, 9);
    }

    static Network tinyCnn() {
        return Network.builder(1, 6, 6).conv2d(3, 3, 1, 1).relu().maxPool(2, 2).conv2d(4, 3, 1, 0).add(new GlobalAvgPool()).dense(3).build(DataType.DOUBLE, 10);
    }

    static Batch imageBatch(long n, long[] shape, int classes, long seed) {
        long per = 1;
        for (long d : shape) per *= d;
        Batch flat = NetworkCurvatureTest.batch(n, per, classes, seed);
        long[] full = new long[shape.length + 1];
        full[0] = n;
        System.arraycopy(shape, 0, full, 1, shape.length);
        return new Batch(flat.inputs().reshape(full), flat.targets());
    }

    /** Token ids in [0, vocab) and one-hot next-token targets (random), float64. */
    static Batch textBatch(long n, int context, int vocab, long seed) {
        Random rng = new Random(seed);
        double[][] x = new double[(int) n][context];
        double[] t = new double[(int) n * context * vocab];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < context; j++) {
                x[i][j] = rng.nextInt(vocab);
                t[(i * context + j) * vocab + rng.nextInt(vocab)] = 1;
            }
        }
        return new Batch(Nd4j.createFromArray(x), Nd4j.createFromArray(t).reshape(n, context, vocab));
    }

    /** H·v against the central difference of the gradient along v, and uᵀHu against vᵀ(H·v). */
    private static void checkHvp(Network net, Batch b, String what) {
        Loss loss = new SoftmaxCrossEntropy();
        long n = net.parameterCount();
        INDArray v = NetworkCurvatureTest.gaussian(n, 3);
        v.divi(Vectors.norm(v));
        INDArray hv = Nd4j.zeros(DataType.DOUBLE, n);
        INDArray g = Nd4j.zeros(DataType.DOUBLE, n), g2 = Nd4j.zeros(DataType.DOUBLE, n);
        net.hvp(loss, b, v, hv, g);
        net.lossAndGradient(loss, b, g2);
        assertTrue(Vectors.norm(g.sub(g2)) <= 1e-10 * Math.max(1, Vectors.norm(g2)), what + ": the HVP pass's gradient differs from the gradient pass");
        INDArray fd = NetworkCurvatureTest.gradientDifference(net, loss, b, v, 1e-5);
        double err = Vectors.norm(fd.sub(hv)) / Math.max(1e-8, Vectors.norm(fd));
        assertTrue(err < 1e-5, what + ": HVP relative error " + err + " (‖Hv‖ = " + Vectors.norm(hv) + ")");
        assertTrue(Vectors.norm(hv) > 1e-6, what + ": HVP is (near) zero, the check would be vacuous");
        double uhu = net.curvatureAlong(loss, b, v);
        assertEquals(Vectors.dot(v, hv), uhu, 1e-7 * Math.max(1, Math.abs(uhu)), what + ": uᵀHu");
        sessionEqualsHvp(net, loss, b, what);
    }

    /**
     * An HVP session (one forward pass, then only the R-op passes) gives bit-identical products to {@link Network#hvp}
     * for several directions in a row — the second and later run in a workspace, after lazily computed forward quantities
     * (GELU's φ, an embedding's one-hot) were kept by the first — and refuses once another pass replaced its activations.
     */
    static void sessionEqualsHvp(Network net, Loss loss, Batch b, String what) {
        long n = net.parameterCount();
        INDArray[] vs = {NetworkCurvatureTest.gaussian(n, 11), NetworkCurvatureTest.gaussian(n, 12), NetworkCurvatureTest.gaussian(n, 13)};
        INDArray[] expected = new INDArray[vs.length];
        for (int i = 0; i < vs.length; i++) {
            expected[i] = Nd4j.zeros(net.dataType(), n);
            net.hvp(loss, b, vs[i], expected[i], null);
        }
        try (Network.HvpSession s = net.hvpSession(loss, b)) {
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < vs.length; i++) {
                    INDArray out = Nd4j.zeros(net.dataType(), n);
                    s.apply(vs[i], out);
                    assertArrayEquals(expected[i].toDoubleVector(), out.toDoubleVector(), 0.0, what + ": session product " + (round * vs.length + i + 1) + " differs from hvp");
                }
            }
            assertEquals(6, s.applications());
            net.loss(loss, b);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.apply(vs[0], Nd4j.zeros(net.dataType(), n)));
            assertTrue(e.getMessage().contains("another pass"), e.getMessage());
        }
    }

    @Test void tinyCnnHvp() { checkHvp(tinyCnn(), imageBatch(4, new long[]{1, 6, 6}, 3, 1), "cnn"); }

    @Test void tinyResnetHvpWithoutNorm() { checkHvp(tinyResnet(Models.Norm.NONE), imageBatch(4, new long[]{2, 6, 6}, 3, 2), "resnet (no norm)"); }

    @Test void tinyResnetHvpWithLayerNorm() { checkHvp(tinyResnet(Models.Norm.LAYER), imageBatch(4, new long[]{2, 6, 6}, 3, 3), "resnet (layer norm)"); }

    @Test void tinyResnetHvpWithBatchNorm() { checkHvp(tinyResnet(Models.Norm.BATCH), imageBatch(4, new long[]{2, 6, 6}, 3, 4), "resnet (batch norm)"); }

    @Test void tinyMixerHvp() { checkHvp(tinyMixer(), imageBatch(4, new long[]{1, 4, 4}, 3, 5), "mixer"); }

    @Test void tinyVitHvp() { checkHvp(tinyVit(), imageBatch(3, new long[]{1, 4, 4}, 3, 6), "vit"); }

    @Test void tinyNanoLMHvp() { checkHvp(tinyNanoLM(), textBatch(3, 5, 6, 7), "nanoLM"); }

    @Test void tinyLstmHvp() { checkHvp(tinyLstmLM(), textBatch(3, 4, 5, 8), "lstm LM"); }

    // ------------------------------------------------------------ training

    private static void lossDecreases(Network net, Batch b, String what) { lossDecreases(net, b, what, 3e-3); }

    private static void lossDecreases(Network net, Batch b, String what, double lr) {
        Loss loss = new SoftmaxCrossEntropy();
        NetworkObjective f = new NetworkObjective(net, loss, b);
        INDArray g = Nd4j.zeros(net.dataType(), net.parameterCount());
        Adam adam = new Adam(lr);
        org.tuneless.optim.OptimizerState state = adam.init(net.layout(), net.dataType());
        double first = Double.NaN, last = Double.NaN;
        for (int step = 0; step < 15; step++) {
            double l = f.lossAndGradient(g);
            if (step == 0) first = l;
            last = l;
            adam.step(new StepContext(step, f, g, l, net.layout()), state);
        }
        assertTrue(Double.isFinite(last) && last < 0.9 * first, what + ": loss " + first + " → " + last);
    }

    @Test void everyModelTrains() {
        lossDecreases(tinyCnn(), imageBatch(8, new long[]{1, 6, 6}, 3, 11), "cnn");
        lossDecreases(tinyResnet(Models.Norm.BATCH), imageBatch(8, new long[]{2, 6, 6}, 3, 12), "resnet");
        lossDecreases(tinyMixer(), imageBatch(8, new long[]{1, 4, 4}, 3, 13), "mixer");
        lossDecreases(tinyVit(), imageBatch(8, new long[]{1, 4, 4}, 3, 14), "vit");
        lossDecreases(tinyNanoLM(), textBatch(4, 5, 6, 15), "nanoLM");
        lossDecreases(tinyLstmLM(), textBatch(4, 4, 5, 16), "lstm", 3e-2);
    }

    @Test void batchNormRunningStatisticsMoveOnlyInTrainingGradients() {
        Network net = tinyResnet(Models.Norm.BATCH);
        Batch b = imageBatch(4, new long[]{2, 6, 6}, 3, 17);
        INDArray before = Nd4j.concat(0, net.buffers().stream().map(a -> a.reshape(a.length())).toArray(INDArray[]::new)).dup();
        long n = net.parameterCount();
        net.hvp(new SoftmaxCrossEntropy(), b, Nd4j.ones(DataType.DOUBLE, n), Nd4j.zeros(DataType.DOUBLE, n), null);
        net.loss(new SoftmaxCrossEntropy(), b);
        INDArray mid = Nd4j.concat(0, net.buffers().stream().map(a -> a.reshape(a.length())).toArray(INDArray[]::new));
        assertEquals(0.0, Vectors.norm(mid.sub(before)), 0.0, "HVPs and loss probes must not update running statistics");
        net.lossAndGradient(new SoftmaxCrossEntropy(), b, Nd4j.zeros(DataType.DOUBLE, n));
        INDArray after = Nd4j.concat(0, net.buffers().stream().map(a -> a.reshape(a.length())).toArray(INDArray[]::new));
        assertTrue(Vectors.norm(after.sub(before)) > 1e-6, "a training gradient updates the running statistics");
        Network copy = net.copy();
        INDArray copied = Nd4j.concat(0, copy.buffers().stream().map(a -> a.reshape(a.length())).toArray(INDArray[]::new));
        assertEquals(0.0, Vectors.norm(copied.sub(after)), 0.0, "copy() carries the running statistics");
    }
}
