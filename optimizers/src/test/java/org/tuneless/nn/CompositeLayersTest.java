package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.ParameterTensor;

/** Blocks (sequential, residual), token-wise dense layers and the parameter-free reshaping layers, against finite differences. */
class CompositeLayersTest {

    private static final UnaryOperator<INDArray> AS_IS = a -> a;

    @Test void denseOnTokens() { new LayerDerivativeCheck(new Dense(3, true, Init.HE), 2, new long[]{4, 5}, 11, AS_IS).checkAll(); }

    @Test void sequentialBlock() {
        Layer block = new Sequential("block", new Dense(4, true, Init.HE), new Tanh(), new Dense(3, false, Init.HE), new Gelu());
        new LayerDerivativeCheck(block, 3, new long[]{5}, 12, AS_IS).checkAll();
    }

    @Test void residualWithIdentityShortcut() {
        Layer block = new Residual(new Sequential("body", new Dense(4, true, Init.HE), new Tanh(), new Dense(5, true, Init.HE)));
        new LayerDerivativeCheck(block, 3, new long[]{5}, 13, AS_IS).checkAll();
    }

    @Test void residualWithProjectionShortcut() {
        Layer block = new Residual(new Sequential("body", new Dense(4, true, Init.HE), new Gelu()), new Dense(4, false, Init.HE));
        new LayerDerivativeCheck(block, 3, new long[]{6}, 14, AS_IS).checkAll();
    }

    @Test void nestedBlocksOnTokens() {
        Layer block = new Sequential("outer", new Residual(new Sequential("mlp", new Dense(6, true, Init.HE), new Tanh(), new Dense(3, true, Init.HE))),
                new SwapAxes(), new Dense(2, true, Init.HE), new SwapAxes());
        new LayerDerivativeCheck(block, 2, new long[]{4, 3}, 15, AS_IS).checkAll();
    }

    @Test void bidirectionalAttention() {
        new LayerDerivativeCheck(new CausalSelfAttention(2, true, Init.GLOROT, false), 2, new long[]{4, 6}, 19, AS_IS).checkAll();
    }

    @Test void swapAxes() { new LayerDerivativeCheck(new SwapAxes(), 2, new long[]{3, 4}, 16, AS_IS).checkAll(); }

    @Test void tokenMean() { new LayerDerivativeCheck(new TokenMean(), 2, new long[]{3, 4}, 17, AS_IS).checkAll(); }

    @Test void patchify() { new LayerDerivativeCheck(new Patchify(2), 2, new long[]{2, 4, 6}, 18, AS_IS).checkAll(); }

    @Test void patchifyOrdersPatchesRowMajorAndFlattensChannelFirst() {
        // image (1 channel, 4x4) with value = 10·row + col
        double[] v = new double[16];
        for (int r = 0; r < 4; r++) for (int c = 0; c < 4; c++) v[r * 4 + c] = 10 * r + c;
        INDArray x = Nd4j.createFromArray(v).reshape(1, 1, 4, 4);
        INDArray y = new Patchify(2).forward(x, new INDArray[0]);
        assertArrayEquals(new long[]{1, 4, 4}, y.shape());
        assertArrayEquals(new double[]{0, 1, 10, 11}, y.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(0)).toDoubleVector(), 0);
        assertArrayEquals(new double[]{2, 3, 12, 13}, y.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(1)).toDoubleVector(), 0);
        assertArrayEquals(new double[]{22, 23, 32, 33}, y.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(3)).toDoubleVector(), 0);
    }

    @Test void blockParametersAreNamedAfterTheirPath() {
        Network net = Network.builder(5).add(new Residual(new Sequential("block", new Dense(4, true, Init.HE), new Relu(), new Dense(5, true, Init.HE)))).dense(2).build(DataType.DOUBLE, 1);
        List<String> names = net.layout().tensors().stream().map(ParameterTensor::name).toList();
        assertEquals(List.of("residual0.body.dense0.W", "residual0.body.dense0.b", "residual0.body.dense1.W", "residual0.body.dense1.b", "dense0.W", "dense0.b"), names);
        assertEquals(5 * 4 + 4 + 4 * 5 + 5 + 5 * 2 + 2, net.parameterCount());
        String summary = net.summary(true);
        assertTrue(summary.contains("    dense1"), summary);
        assertTrue(summary.contains("total parameters: 61"), summary);
    }

    @Test void residualShapeMismatchNamesTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Network.builder(5).add(new Residual(new Dense(3, true, Init.HE))).build(DataType.DOUBLE, 0));
        assertTrue(e.getMessage().contains("projection shortcut"), e.getMessage());
    }

    @Test void reluInputsInsideBlocksSeeTheFeedingLayersChange() {
        Network net = Network.builder(3).add(new Residual(new Sequential("block", new Dense(3, true, Init.HE), new Relu(), new Dense(3, true, Init.HE)))).relu().dense(2)
                .build(DataType.DOUBLE, 2);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 3).subi(0.5);
        org.tuneless.objective.Batch batch = new org.tuneless.objective.Batch(x, Nd4j.zeros(DataType.DOUBLE, 4, 2));
        INDArray delta = Nd4j.rand(DataType.DOUBLE, net.parameterCount()).subi(0.5).muli(1e-3);
        List<int[]> seen = new java.util.ArrayList<>();
        new NetworkObjective(net, new SoftmaxCrossEntropy(), batch).capability(org.tuneless.objective.ReluInputs.class).orElseThrow().forEach(delta, (tensors, a, da) -> {
            seen.add(tensors);
            assertArrayEquals(a.shape(), da.shape());
        });
        // inner relu: fed by body.dense0 (tensors 0,1); outer relu: fed by the whole residual block (tensors 0..3)
        assertEquals(2, seen.size());
        assertArrayEquals(new int[]{0, 1}, seen.get(0));
        assertArrayEquals(new int[]{0, 1, 2, 3}, seen.get(1));
    }

    @Test void parametersOfABlockHaveNoSideEffectsAndAPassBeforeBindNamesTheFix() {
        BatchNorm bn = new BatchNorm();
        Sequential block = new Sequential("block", new Dense(3, true, Init.HE), bn);
        long[] in = {4};
        assertEquals(4, block.parameters(in).size());
        assertTrue(bn.buffers().isEmpty(), "parameters(...) must not allocate batch-norm statistics");
        assertTrue(block.buffers().isEmpty());
        INDArray[] theta = block.parameters(in).stream().map(sp -> Nd4j.rand(DataType.DOUBLE, sp.shape())).toArray(INDArray[]::new);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> block.forward(Nd4j.rand(DataType.DOUBLE, 5, 4), theta));
        assertTrue(e.getMessage().contains("bind(inputShape)"), e.getMessage());
        block.bind(in);
        assertEquals(2, block.buffers().size());
        assertSame(bn.buffers().get(0), block.buffers().get(0));
        assertArrayEquals(new long[]{5, 3}, block.forward(Nd4j.rand(DataType.DOUBLE, 5, 4), theta).shape());
    }

    @Test void networkGettersReturnTheSameLiveObjects() {
        Network net = Network.builder(3, 4, 4).conv2d(2, 3, 1, 1).batchNorm().relu().flatten().dense(2).build(DataType.DOUBLE, 0);
        assertSame(net.parameters(), net.parameters());
        assertSame(net.buffers(), net.buffers());
        assertSame(net.layers(), net.layers());
        assertEquals(2, net.buffers().size());
        assertSame(net.layers().get(1).buffers().get(0), net.buffers().get(0));
    }

    /** A block reuses its per-child slices of theta while theta holds the same arrays, and re-cuts them when they change. */
    @Test void blockFollowsReplacedParameterArrays() {
        Sequential block = new Sequential("block", new Dense(2, true, Init.HE), new Tanh(), new Dense(2, false, Init.HE));
        long[] in = {3};
        block.bind(in);
        List<ParamSpec> specs = block.parameters(in);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 3);
        INDArray[] a = specs.stream().map(sp -> Nd4j.rand(DataType.DOUBLE, sp.shape())).toArray(INDArray[]::new);
        INDArray[] b = specs.stream().map(sp -> Nd4j.rand(DataType.DOUBLE, sp.shape())).toArray(INDArray[]::new);
        INDArray ymixed = block.forward(x, new INDArray[]{b[0], b[1], a[2]}).dup();
        INDArray ya = block.forward(x, a).dup(), yb = block.forward(x, b).dup();
        assertTrue(ya.sub(yb).amaxNumber().doubleValue() > 1e-3 && ya.sub(ymixed).amaxNumber().doubleValue() > 1e-3);
        INDArray[] theta = a.clone();
        assertEquals(ya, block.forward(x, theta));
        assertEquals(ya, block.forward(x, theta));
        System.arraycopy(b, 0, theta, 0, b.length);  // same array, new entries
        assertEquals(yb, block.forward(x, theta));
        theta[2] = a[2];  // one entry replaced
        assertEquals(ymixed, block.forward(x, theta));
    }
}
