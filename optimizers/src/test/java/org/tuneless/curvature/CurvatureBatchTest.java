package org.tuneless.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.nn.Loss;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.objective.Batch;
import org.tuneless.tensor.Workspaces;

/**
 * {@code --curvature-batch auto}: a ResNet-18 HVP asked for at batch 128 (≈ 2 GB of HVP workspace, 5 GB for a session, more than this test
 * JVM may use) runs on the first k examples, k the most that fit the budget, and the workspace it then takes stays
 * within that budget.
 */
class CurvatureBatchTest {

    @Test void aResnet18HvpAtBatch128RunsOnTheExamplesThatFitTheBudget() {
        Network net = Models.resnet18(new long[]{1, 28, 28}, 10, Models.Norm.BATCH).build(DataType.FLOAT, 3);
        Loss ce = new SoftmaxCrossEntropy();
        long budget = 1L << 30;  // 1 GiB
        Network.MemoryPlan at128 = net.memoryPlan(128, ce);
        assertTrue(CurvatureBatch.sessionBytes(at128) > 2 * budget, "the full batch needs far more than the budget: " + at128);
        long k = CurvatureBatch.fit(net, ce, 128, budget);
        assertTrue(k >= 1 && k < 128, "k = " + k);
        assertTrue(CurvatureBatch.sessionBytes(net.memoryPlan(k, ce)) <= budget, "k fits");
        assertTrue(CurvatureBatch.sessionBytes(net.memoryPlan(k + 1, ce)) > budget, "k + 1 does not: k is the largest");

        Nd4j.getRandom().setSeed(4);
        Batch full = new Batch(Nd4j.randn(DataType.FLOAT, 128, 1, 28, 28), Nd4j.eye(10).castTo(DataType.FLOAT).repeat(0, 13)
                .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 128)));
        Batch part = CurvatureBatch.firstRows(full, k);
        assertEquals(k, part.inputs().size(0));
        var v = Nd4j.randn(DataType.FLOAT, net.parameterCount());
        var hv = Nd4j.zeros(DataType.FLOAT, net.parameterCount());
        net.hvp(ce, part, v, hv, null);
        long used = Workspaces.lastPassBytes("hvp");
        assertTrue(used <= budget, "the HVP took " + used + " bytes of workspace, over the budget " + budget);
        assertTrue(Double.isFinite(hv.norm2Number().doubleValue()) && hv.norm2Number().doubleValue() > 0, "a real product");
        System.out.printf("ResNet-18: %s; auto curvature batch %d of 128 under 1 GiB, HVP workspace %,d bytes%n", at128, k, used);
    }

    @Test void aBudgetThatFitsNotEvenOneExampleIsRefusedWithTheSizes() {
        Network net = Network.builder(784).dense(64).relu().dense(10).build(DataType.FLOAT, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CurvatureBatch.fit(net, new SoftmaxCrossEntropy(), 32, 1000));
        assertTrue(e.getMessage().contains("even on one example") && e.getMessage().contains("-Xmx"), e.getMessage());
        assertEquals(32, CurvatureBatch.fit(net, new SoftmaxCrossEntropy(), 32, Long.MAX_VALUE / 4), "everything fits a large budget");
        assertTrue(CurvatureBatch.defaultBudget() > 0);
    }
}
