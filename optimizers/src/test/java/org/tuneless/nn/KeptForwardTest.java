package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Batch;

/**
 * A gradient pass that keeps its forward activations gives the same loss and gradient as {@link Network#lossAndGradient}
 * and, for one uᵀHu afterwards, the same bits as {@link Network#curvatureAlong} without running the forward pass again.
 */
class KeptForwardTest {

    private static Map<String, Object[]> zoo() {
        Map<String, Object[]> m = new LinkedHashMap<>();
        m.put("mlp", new Object[]{Network.builder(5).dense(7).relu().dense(3).build(DataType.FLOAT, 3), mlpBatch()});
        m.put("cnn", new Object[]{ModelZooTest.tinyCnn(), ModelZooTest.imageBatch(4, new long[]{1, 6, 6}, 3, 1)});
        m.put("resnet (batch norm)", new Object[]{ModelZooTest.tinyResnet(Models.Norm.BATCH), ModelZooTest.imageBatch(4, new long[]{2, 6, 6}, 3, 4)});
        m.put("vit", new Object[]{ModelZooTest.tinyVit(), ModelZooTest.imageBatch(3, new long[]{1, 4, 4}, 3, 6)});
        m.put("nanoLM", new Object[]{ModelZooTest.tinyNanoLM(), ModelZooTest.textBatch(3, 5, 6, 7)});
        m.put("lstm LM", new Object[]{ModelZooTest.tinyLstmLM(), ModelZooTest.textBatch(3, 4, 5, 8)});
        return m;
    }

    private static Batch mlpBatch() {
        Nd4j.getRandom().setSeed(5);
        return new Batch(Nd4j.randn(DataType.FLOAT, 6, 5), Nd4j.eye(3).castTo(DataType.FLOAT).getRows(0, 1, 2, 0, 1, 2));
    }

    @Test void theKeptPassGivesTheSameLossGradientAndCurvatureBits() {
        Loss ce = new SoftmaxCrossEntropy();
        for (Map.Entry<String, Object[]> c : zoo().entrySet()) {
            Network net = (Network) c.getValue()[0];
            Batch b = (Batch) c.getValue()[1];
            String name = c.getKey();
            assertTrue(net.curvatureReusesGradientPass(), name + ": no dropout");
            Nd4j.getRandom().setSeed(11);
            INDArray u = Nd4j.randn(net.dataType(), net.parameterCount());
            INDArray g = Nd4j.zeros(net.dataType(), net.parameterCount()), gKept = g.dup();
            // the plain way: gradient, then uᵀHu with its own forward pass
            double loss = net.lossAndGradient(ce, b, g);
            double curvature = net.curvatureAlong(ce, b, u);
            long before = net.forwardPasses();
            Network.ForwardKept kept = net.lossAndGradientKeepingForward(ce, b, gKept);
            assertEquals(before + 1, net.forwardPasses(), name);
            assertEquals(loss, kept.value(), 0.0, name + ": loss");
            assertArrayEquals(g.toFloatVector(), gKept.toFloatVector(), name + ": gradient");
            assertTrue(kept.usable(), name);
            double reused = kept.curvatureAlong(u);
            assertEquals(before + 1, net.forwardPasses(), name + ": the uᵀHu ran no forward pass");
            assertEquals(Double.doubleToLongBits(curvature), Double.doubleToLongBits(reused), name + ": uᵀHu " + curvature + " vs " + reused);
            assertTrue(curvature != 0.0, name + ": a uᵀHu that can tell the paths apart");
            // once: a second uᵀHu on the same pass is refused by name (what it computed lazily is gone)
            assertFalse(kept.usable(), name);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> kept.curvatureAlong(u));
            assertTrue(e.getMessage().contains("used already") && e.getMessage().contains("Network.curvatureAlong"), e.getMessage());
        }
    }

    @Test void anotherPassInBetweenMakesTheKeptPassUnusable() {
        Network net = Network.builder(5).dense(7).relu().dense(3).build(DataType.FLOAT, 3);
        Batch b = mlpBatch();
        INDArray g = Nd4j.zeros(DataType.FLOAT, net.parameterCount());
        Network.ForwardKept kept = net.lossAndGradientKeepingForward(new SoftmaxCrossEntropy(), b, g);
        net.loss(new SoftmaxCrossEntropy(), b);
        assertFalse(kept.usable());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> kept.curvatureAlong(g));
        assertTrue(e.getMessage().contains("ran another pass"), e.getMessage());
    }

    @Test void dropoutNetworksDoNotReuseTheTrainingForward() {
        Network withDropout = Network.builder(5).dense(7).relu().dropout(0.5, 1).dense(3).build(DataType.FLOAT, 3);
        assertFalse(withDropout.curvatureReusesGradientPass(), "a TRAIN-mode forward draws a dropout mask the uᵀHu would not");
    }
}
