package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Batch;

/** The per-layer profile counts every plain layer's calls once, never a composite's, and only while started. */
class LayerProfileTest {

    @Test void aGradientOfAResNetIsProfiledByPlainLayerKindAndCall() {
        Network net = Models.resnet("resnet", new int[]{1, 1}, new long[]{1, 6, 6}, 3, Models.Norm.BATCH, 4).build(DataType.FLOAT, 1);
        Nd4j.getRandom().setSeed(2);
        Batch b = new Batch(Nd4j.randn(DataType.FLOAT, 4, 1, 6, 6), Nd4j.eye(3).castTo(DataType.FLOAT).getRows(0, 1, 2, 0));
        INDArray g = Nd4j.zeros(DataType.FLOAT, net.parameterCount());
        LayerProfile.start();
        net.lossAndGradient(new SoftmaxCrossEntropy(), b, g);
        net.lossAndGradient(new SoftmaxCrossEntropy(), b, g);
        Map<String, long[]> p = LayerProfile.stop();
        long convs = net.layers().stream().flatMap(LayerProfileTest::leaves).filter(l -> l.kind().equals("conv2d")).count();
        assertTrue(convs >= 3, "the model has convolutions: " + convs);
        assertEquals(2 * convs, p.get("conv2d forward")[1], "every convolution's forward, once per gradient: " + keys(p));
        assertEquals(2 * convs, p.get("conv2d backward")[1], keys(p));
        assertTrue(p.containsKey("batchnorm forward") && p.containsKey("relu backward") && p.containsKey("dense backward"), keys(p));
        for (String k : p.keySet()) {
            assertFalse(k.startsWith("residual") || k.startsWith("sequential") || k.startsWith("stage"), "a composite is not counted: " + k);
            assertTrue(p.get(k)[0] > 0, k);
        }
        // stopped: a gradient adds nothing; start clears what was collected
        net.lossAndGradient(new SoftmaxCrossEntropy(), b, g);
        assertEquals(2 * convs, LayerProfile.stop().get("conv2d forward")[1], "nothing is counted while stopped");
        LayerProfile.start();
        assertTrue(LayerProfile.stop().isEmpty(), "start clears the profile");
    }

    @Test void byShapeTheKeysNameTheInputShapeWithoutTheBatch() {
        Network net = Network.builder(5).dense(7).relu().dense(3).build(DataType.FLOAT, 1);
        Batch b = new Batch(Nd4j.rand(DataType.FLOAT, 4, 5), Nd4j.eye(3).castTo(DataType.FLOAT).getRows(0, 1, 2, 0));
        INDArray g = Nd4j.zeros(DataType.FLOAT, net.parameterCount());
        LayerProfile.start(true);
        net.lossAndGradient(new SoftmaxCrossEntropy(), b, g);
        Map<String, long[]> p = LayerProfile.stop();
        // the two dense layers, told apart by their inputs: x (5 wide) and the ReLU's output (7 wide); a backward call is
        // keyed by the gradient it is given (the layer's output shape)
        assertEquals(1, p.get("dense forward [5]")[1], keys(p));
        assertEquals(1, p.get("dense forward [7]")[1], keys(p));
        assertEquals(1, p.get("dense backward [7]")[1], keys(p));
        assertEquals(1, p.get("dense backward [3]")[1], keys(p));
        assertEquals(1, p.get("relu forward [7]")[1], keys(p));
        assertEquals(1, p.get("relu backward [7]")[1], keys(p));
        assertEquals(6, p.size(), keys(p));
        LayerProfile.start();
        net.lossAndGradient(new SoftmaxCrossEntropy(), b, g);
        assertEquals(2, LayerProfile.stop().get("dense forward")[1], "start() keys by kind and call again");
    }

    private static java.util.stream.Stream<Layer> leaves(Layer l) {
        return l.children().isEmpty() ? java.util.stream.Stream.of(l) : l.children().stream().flatMap(LayerProfileTest::leaves);
    }

    private static String keys(Map<String, long[]> p) { return p.keySet().toString(); }
}
