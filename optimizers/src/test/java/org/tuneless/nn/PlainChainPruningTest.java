package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Batch;

/**
 * An HVP walk computes the plain gy chain only as far down as a layer reads it: in a ReLU MLP the first dense layer's
 * input does not move, so neither its gy nor the second layer's ∂L/∂x GEMM is computed — and the products are the same
 * bits as with the whole chain.
 */
class PlainChainPruningTest {

    @Test void aReluMlpsHvpSkipsTheGyTheFirstLayerNeverReads() {
        Network net = Network.builder(5).dense(7).relu().dense(6).relu().dense(3).build(DataType.FLOAT, 3);
        Batch b = batch(8, 5, 3, 1);
        INDArray v = Nd4j.randn(DataType.FLOAT, net.parameterCount());
        INDArray pruned = hvp(net, b, v, true), whole = hvp(net, b, v, false);
        assertArrayEquals(whole.toFloatVector(), pruned.toFloatVector(), 0f, "the same H·v bits");
        try (Network.HvpSession s = net.hvpSession(new SoftmaxCrossEntropy(), b)) {
            INDArray out = v.dup();
            s.apply(v, out);
            INDArray[] gy = net.root().lastWalkGy();
            assertNull(gy[0], "the first dense layer's gy is not computed: its input does not move");
            assertNull(gy[1], "nor the ReLU's above it (ReLU's R-op does not read gy)");
            assertNotNull(gy[2], "the second dense layer reads gy (its input moves)");
            assertArrayEquals(whole.toFloatVector(), out.toFloatVector(), 0f, "a session's first product");
            s.apply(v, out);  // the replay runs on the pruned record
            assertArrayEquals(whole.toFloatVector(), out.toFloatVector(), 0f, "a session's replayed product");
        }
    }

    @Test void layersThatReadGyKeepTheChain() {
        // tanh's R-op reads gy (σ'' ≠ 0) where its input moves: the chain reaches the tanh, not the first dense layer
        Network net = Network.builder(5).dense(7).tanh().dense(3).build(DataType.FLOAT, 3);
        Batch b = batch(6, 5, 3, 2);
        INDArray v = Nd4j.randn(DataType.FLOAT, net.parameterCount());
        assertArrayEquals(hvp(net, b, v, false).toFloatVector(), hvp(net, b, v, true).toFloatVector(), 0f);
        try (Network.HvpSession s = net.hvpSession(new SoftmaxCrossEntropy(), b)) {
            s.apply(v, v.dup());
            INDArray[] gy = net.root().lastWalkGy();
            assertNull(gy[0], "the first dense layer does not read gy");
            assertNotNull(gy[1], "tanh does");
        }
        assertFalse(new Relu().hasSecondDerivative());
        assertTrue(new Tanh().hasSecondDerivative());
    }

    @Test void theZoosProductsAreTheSameBitsBothWays() {
        Object[][] cases = {
            {ModelZooTest.tinyCnn(), ModelZooTest.imageBatch(4, new long[]{1, 6, 6}, 3, 1)},
            {ModelZooTest.tinyResnet(Models.Norm.BATCH), ModelZooTest.imageBatch(4, new long[]{2, 6, 6}, 3, 4)},
            {ModelZooTest.tinyVit(), ModelZooTest.imageBatch(3, new long[]{1, 4, 4}, 3, 6)},
            {ModelZooTest.tinyNanoLM(), ModelZooTest.textBatch(3, 5, 6, 7)},
            {ModelZooTest.tinyLstmLM(), ModelZooTest.textBatch(3, 4, 5, 8)},
        };
        for (Object[] c : cases) {
            Network m = (Network) c[0];
            Batch mb = (Batch) c[1];
            Nd4j.getRandom().setSeed(9);
            INDArray v = Nd4j.randn(m.dataType(), m.parameterCount());
            INDArray whole = hvp(m, mb, v, false), pruned = hvp(m, mb, v, true);
            assertArrayEquals(whole.toDoubleVector(), pruned.toDoubleVector(), 0.0, m.layers().get(0).kind());
            assertTrue(whole.norm2Number().doubleValue() > 0);
        }
    }

    private static INDArray hvp(Network net, Batch b, INDArray v, boolean prune) {
        boolean was = Sequential.setPrunePlainChain(prune);
        try {
            INDArray out = Nd4j.zeros(v.dataType(), v.length());
            net.hvp(new SoftmaxCrossEntropy(), b, v, out, null);
            return out;
        } finally {
            Sequential.setPrunePlainChain(was);
        }
    }

    private static Batch batch(int n, int in, int classes, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray t = Nd4j.zeros(DataType.FLOAT, n, classes);
        for (int i = 0; i < n; i++) t.putScalar(i, i % classes, 1f);
        return new Batch(Nd4j.randn(DataType.FLOAT, n, in), t);
    }
}
