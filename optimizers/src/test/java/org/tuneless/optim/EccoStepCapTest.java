package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.tuneless.run.Catalogs;
import org.tuneless.run.RunSpec;
import org.tuneless.train.StepRecord;
import org.tuneless.train.TrainingRun;

/** ECCO-DNN's {@code stepCap}: 0.5 by default (the official code), 0 = LTE control alone. */
class EccoStepCapTest {

    static TrainingRun run(double eta, double cap) {
        RunSpec s = RunSpec.defaults().withModel(Catalogs.MODELS.spec("mlp", Map.of("widths", java.util.List.of(16, 16, 1))))
                .withData(Catalogs.DATA.spec("teacher-student", Map.of("samples", 64))).withLoss(Catalogs.LOSSES.spec("mse"))
                .withOptimizer(Optimizers.CATALOG.spec("ecco", Map.of("eta", eta, "stepCap", cap))).withSteps(15);
        return s.run();
    }

    @Test void theDefaultCapIsTheOfficialHalf() {
        assertEquals(0.5, Optimizers.CATALOG.spec("ecco").get("stepCap"));
        TrainingRun capped = run(100, 0.5);
        for (StepRecord r : capped.history()) assertTrue(r.learningRate() <= 0.5, "step " + r.step() + ": Δt = " + r.learningRate());
        assertTrue(capped.history().stream().anyMatch(r -> r.learningRate() == 0.5), "η = 100 hits the cap");
    }

    @Test void withoutTheCapLteControlAloneSetsTheStep() {
        TrainingRun capped = run(100, 0.5), free = run(100, 0);
        assertEquals(capped.history().get(0).learningRate(), free.history().get(0).learningRate(), 0.0);  // α0 first
        double max = free.history().stream().filter(r -> Double.isFinite(r.learningRate())).mapToDouble(StepRecord::learningRate).max().orElseThrow();
        assertTrue(max > 0.5, "without the cap a large η takes steps above 0.5: max Δt = " + max);
        TrainingRun smallCap = run(100, 0.1);
        for (StepRecord r : smallCap.history()) assertTrue(r.learningRate() <= 0.1 + 1e-15);
    }

    @Test void aNegativeCapIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> Optimizers.CATALOG.spec("ecco", Map.of("stepCap", -1.0)));
        assertTrue(e.getMessage().contains("stepCap") || e.getMessage().contains("step cap"), e.getMessage());
    }
}
