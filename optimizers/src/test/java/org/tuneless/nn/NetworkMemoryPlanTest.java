package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@link Network#memoryPlan}: fitted at batches 2 and 4, its prediction at batch 12 is within 20% of the workspace the
 * passes then allocate, for every pass and every zoo model; it leaves the network's running statistics alone.
 */
class NetworkMemoryPlanTest {

    static Map<String, Network> zoo() {
        Map<String, Network> m = new LinkedHashMap<>();
        m.put("mlp 784-256-256-10 float32", Network.builder(784).dense(256).relu().dense(256).relu().dense(10).build(DataType.FLOAT, 1));
        m.put("cnn", ModelZooTest.tinyCnn());
        m.put("resnet (batch norm)", ModelZooTest.tinyResnet(Models.Norm.BATCH));
        m.put("resnet (no norm)", ModelZooTest.tinyResnet(Models.Norm.NONE));
        m.put("mixer", ModelZooTest.tinyMixer());
        m.put("vit", ModelZooTest.tinyVit());
        m.put("nanoLM", ModelZooTest.tinyNanoLM());
        m.put("lstm LM", ModelZooTest.tinyLstmLM());
        m.put("resnet18 float32 (1x28x28)", Models.resnet18(new long[]{1, 28, 28}, 10, Models.Norm.BATCH).build(DataType.FLOAT, 2));
        return m;
    }

    @Test void thePlanPredictsTheWorkspaceWithinTwentyPercentAtABatchItWasNotFittedOn() {
        Loss ce = new SoftmaxCrossEntropy();
        StringBuilder report = new StringBuilder();
        for (var e : zoo().entrySet()) {
            Network net = e.getValue();
            Network.MemoryPlan plan = net.memoryPlan(12, ce);
            long[] measured = net.measure(12, ce);
            long[] predicted = {plan.gradientBytes(), plan.hvpBytes(), plan.curvatureBytes()};
            String[] pass = {"gradient", "HVP", "uᵀHu"};
            for (int k = 0; k < 3; k++) {
                double err = Math.abs(predicted[k] - measured[k]) / (double) measured[k];
                report.append(String.format("%-28s %-8s predicted %,12d measured %,12d (%.1f%%)%n", e.getKey(), pass[k], predicted[k], measured[k], 100 * err));
                assertTrue(measured[k] > 0, e.getKey() + " " + pass[k] + ": nothing measured");
                assertTrue(err <= 0.20, e.getKey() + " " + pass[k] + ": predicted " + predicted[k] + " bytes, measured " + measured[k]);
            }
            assertEquals(net.parameterCount() * net.dataType().width(), plan.parameterBytes());
            assertTrue(plan.hvpBytes() > plan.gradientBytes(), e.getKey() + ": an HVP needs more than a gradient");
        }
        System.out.print(report);
    }

    @Test void planningLeavesTheNetworkAsItWas() {
        Network net = ModelZooTest.tinyResnet(Models.Norm.BATCH);
        var before = net.namedTensors().entrySet().stream().map(t -> t.getKey() + "=" + t.getValue().sumNumber()).toList();
        net.memoryPlan(64);
        var after = net.namedTensors().entrySet().stream().map(t -> t.getKey() + "=" + t.getValue().sumNumber()).toList();
        assertEquals(before, after, "parameters and batch-norm running statistics unchanged");
        assertTrue(net.memoryPlan(64).toString().startsWith("batch 64: gradient "), net.memoryPlan(64).toString());
        assertThrows(IllegalArgumentException.class, () -> net.memoryPlan(0));
    }
}
