package org.tuneless.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Batch;
import org.tuneless.nn.Init;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.objective.Quadratic;
import org.tuneless.optim.Adam;
import org.tuneless.optim.Sgd;
import org.tuneless.train.CurvatureTracker;
import org.tuneless.train.StepRecord;
import org.tuneless.train.Trainer;
import org.tuneless.train.TrainingRun;

class CurvatureTrackerTest {

    @Test void tracksSharpnessAndUpdateCurvatureOnTheScheduleAtTheStepsStartingPoint() {
        Quadratic q = Quadratic.diagonal(new double[]{1, 10}, 1, 1);
        TrainingRun run = Trainer.builder().objective(q).optimizer(new Sgd(0.05)).steps(12)
                .install(CurvatureTracker.builder().sharpness().updateCurvature().every(5).atSteps(7).tolerance(1e-10).build())
                .build().run();
        List<StepRecord> h = run.history();
        for (int step : new int[]{0, 5, 7, 10}) {
            assertEquals(10.0, h.get(step).metric("sharpness"), 1e-6, "step " + step);
            assertEquals(0.5, h.get(step).metric("lr_x_sharpness"), 1e-7);
        }
        assertTrue(Double.isNaN(h.get(1).metric("sharpness")));
        assertTrue(Double.isNaN(h.get(6).metric("uhu")));
        // step 0 is the quadratic of docs/methods.md §0.2 (see §6.9): u = −g = (−1, −10), uᵀHu = 1001, edge 2·101/1001
        assertEquals(1001, h.get(0).metric("uhu"), 1e-9);
        assertEquals(0.2017982018, h.get(0).metric("edge_lr"), 1e-9);
        // GD moves along −g; its cosine with the top eigenvector e₂ is 10/√101 at step 0
        assertEquals(10 / Math.sqrt(101), Math.abs(h.get(0).metric("alignment")), 1e-6);
        assertTrue(run.metricNames().containsAll(List.of("sharpness", "lr_x_sharpness", "sharpness_hvps", "uhu", "edge_lr", "alignment", "update_angle")));
        // the trainer's parameters are untouched by the measurement: GD on the quadratic is w₂ ← 0.5·w₂
        assertEquals(Math.pow(0.5, 12), q.parameters().getDouble(1), 1e-15);
    }

    @Test void warmStartAndPreconditionedSharpnessOnAnMlpWithAFixedBatch() {
        Random rng = new Random(1);
        double[][] x = new double[64][5], t = new double[64][3];
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 5; j++) x[i][j] = rng.nextGaussian();
            t[i][rng.nextInt(3)] = 1;
        }
        Batch batch = new Batch(Nd4j.createFromArray(x), Nd4j.createFromArray(t));
        Network net = Models.mlpBuilder(Models.Activation.TANH, true, Init.GLOROT, 5, 16, 3).build(DataType.DOUBLE, 2);
        TrainingRun run = Trainer.builder().network(net).loss(new SoftmaxCrossEntropy()).fullBatch(batch).optimizer(new Adam(1e-3)).steps(30)
                .install(CurvatureTracker.builder().sharpness().preconditionedSharpness().elr().every(3).on(batch).tolerance(1e-6).build())
                .build().run();
        double firstHvps = run.history().get(0).metric("sharpness_hvps");
        double laterHvps = run.history().get(27).metric("sharpness_hvps");
        assertTrue(laterHvps < firstHvps, "warm start: " + laterHvps + " HVPs vs " + firstHvps + " cold");
        for (int step = 0; step < 30; step += 3) {
            StepRecord r = run.history().get(step);
            assertTrue(r.metric("sharpness") > 0);
            assertTrue(r.metric("preconditioned_sharpness") > 0);
            assertEquals(1e-3 * r.metric("preconditioned_sharpness"), r.metric("lr_x_preconditioned_sharpness"), 1e-12);
            assertTrue(r.metric("elr/dense0.W") > 0);
        }
    }
}
