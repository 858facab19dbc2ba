package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.curvature.Preconditioned;
import org.tuneless.objective.Quadratic;
import org.tuneless.objective.Rosenbrock;

/**
 * The first three steps of every baseline optimizer on f = ½(w₁² + 10w₂²) from (1, 1). Expected values: SGD by hand
 * (shown), the others from torch.optim 1.13 in float64 (Debian python3-torch), an implementation independent of ours.
 */
class BaselineOptimizersTest {

    static Stream<Arguments> firstThreeSteps() {
        return Stream.of(
                // g = (w₁, 10w₂); w ← w − 0.05g: w₁ × 0.95, w₂ × 0.5
                Arguments.of("sgd", (Supplier<Optimizer>) () -> new Sgd(0.05),
                        new double[][]{{0.95, 0.5}, {0.9025, 0.25}, {0.857375, 0.125}}),
                // g + 0.1w = (1.1w₁, 10.1w₂): w₁ × (1 − 0.055) = 0.945, w₂ × (1 − 0.505) = 0.495
                Arguments.of("sgd wd", (Supplier<Optimizer>) () -> new Sgd(0.05, 0, 0, false, 0.1),
                        new double[][]{{0.945, 0.495}, {0.893025, 0.245025}, {0.843908625, 0.121287375}}),
                // b₁ = g₀ = (1, 10) → (0.95, 0.5); g₁ = (0.95, 5), b₂ = 0.9·b₁ + g₁ = (1.85, 14) → (0.8575, −0.2)
                Arguments.of("momentum", (Supplier<Optimizer>) () -> Sgd.momentum(0.05, 0.9),
                        new double[][]{{0.95, 0.5}, {0.8575, -0.2}, {0.731375, -0.73}}),
                // step 1: d + 0.9·b = 1.9·(1, 10) → (1 − 0.095, 1 − 0.95)
                Arguments.of("nesterov", (Supplier<Optimizer>) () -> Sgd.nesterov(0.05, 0.9),
                        new double[][]{{0.905, 0.05}, {0.778525, -0.4025}, {0.631462625, -0.404875}}),
                Arguments.of("rmsprop", (Supplier<Optimizer>) () -> new RmsProp(0.01),
                        new double[][]{{0.9000000099999991, 0.900000001}, {0.8329179752650593, 0.8329179621340117}, {0.7799822819823541, 0.7799822662526593}}),
                Arguments.of("rmsprop momentum", (Supplier<Optimizer>) () -> new RmsProp(0.01, 0.999, 1e-8, 0, 0.5, false),
                        new double[][]{{0.6837723339831306, 0.6837722439831618}, {0.3471068898876969, 0.3471067289345342}, {0.09160325114716492, 0.09160306898449945}}),
                Arguments.of("adam", (Supplier<Optimizer>) () -> new Adam(0.1),
                        new double[][]{{0.900000001, 0.9000000001}, {0.8004122297123382, 0.8004122278753567}, {0.701586274504415, 0.7015862716993226}}),
                Arguments.of("adam wd", (Supplier<Optimizer>) () -> new Adam(0.1, 0.9, 0.999, 1e-8, 0.1),
                        new double[][]{{0.9000000009090909, 0.9000000000990099}, {0.8004122295267844, 0.8004122278733358}, {0.7015862742210722, 0.7015862716962367}}),
                Arguments.of("adamw", (Supplier<Optimizer>) () -> new AdamW(0.1, 0.9, 0.999, 1e-8, 0.1),
                        new double[][]{{0.890000001, 0.8900000001}, {0.781571856954161, 0.7815718551223799}, {0.6751012231892006, 0.675101220400765}}),
                Arguments.of("adagrad", (Supplier<Optimizer>) () -> new AdaGrad(0.1, 0.1, 1e-10, 0, 0),
                        new double[][]{{0.90000000001, 0.900000000001}, {0.8391850244121062, 0.8391850243993738}, {0.795081444079829, 0.7950814440649329}}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("firstThreeSteps")
    void firstThreeStepsMatchTheReference(String label, Supplier<Optimizer> make, double[][] expected) {
        List<double[]> got = OptimizerTesting.run(make.get(), OptimizerTesting.quadratic(), 3, null);
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < 2; i++) {
                assertEquals(expected[t][i], got.get(t)[i], 1e-12 * Math.max(1, Math.abs(expected[t][i])), label + " step " + (t + 1) + " coordinate " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("firstThreeSteps")
    void directionIsTheStepDividedByTheLearningRate(String label, Supplier<Optimizer> make, double[][] expected) {
        Optimizer stepper = make.get();
        UpdateDirection director = (UpdateDirection) make.get();
        Quadratic a = OptimizerTesting.quadratic(), b = OptimizerTesting.quadratic();
        INDArray ga = Nd4j.zeros(a.dataType(), 2), gb = Nd4j.zeros(b.dataType(), 2), u = Nd4j.zeros(b.dataType(), 2);
        OptimizerState sa = OptimizerTesting.init(stepper, a), sb = OptimizerTesting.init(stepper, b);
        for (int t = 0; t < 3; t++) {
            INDArray before = a.parameters().dup();
            StepResult r = stepper.step(OptimizerTesting.context(a, t, ga), sa);
            INDArray delta = a.parameters().sub(before);
            director.direction(OptimizerTesting.context(b, t, gb), sb, u);
            INDArray expectedUpdate = u.mul(r.learningRate());
            assertArrayEquals(expectedUpdate.toDoubleVector(), delta.toDoubleVector(), 1e-14, label + " step " + t);
            b.parameters().addi(expectedUpdate);
        }
    }

    @Test void adamConvergesOnRosenbrock() {
        Rosenbrock f = Rosenbrock.standard();
        OptimizerTesting.run(new Adam(0.02), f, 4000, null);
        double[] w = f.parameters().toDoubleVector();
        assertEquals(1.0, w[0], 1e-2);
        assertEquals(1.0, w[1], 2e-2);
    }

    @Test void momentumConvergesOnRosenbrock() {
        Rosenbrock f = Rosenbrock.standard();
        OptimizerTesting.run(Sgd.momentum(1e-4, 0.9), f, 20000, null);
        double[] w = f.parameters().toDoubleVector();
        assertEquals(1.0, w[0], 1e-2);
        assertEquals(1.0, w[1], 2e-2);
    }

    @Test void invalidHyperparametersAreRejectedWithTheArgumentAndRange() {
        assertMessage(() -> new Adam(-1e-3), "Adam: lr = -0.001 must be ≥ 0");
        assertMessage(() -> new Adam(1e-3, 0.9, 1.0, 1e-8, 0), "Adam: beta2 = 1.0 is outside [0, 1); typical value 0.999");
        assertMessage(() -> new Adam(1e-3, -0.1, 0.999, 1e-8, 0), "beta1 = -0.1 is outside [0, 1)");
        assertMessage(() -> new Sgd(Double.NaN), "SGD: lr = NaN");
        assertMessage(() -> Sgd.momentum(0.1, 1.5), "momentum = 1.5 is outside [0, 1)");
        assertMessage(() -> new Sgd(0.1, 0, 0, true, 0), "Nesterov momentum needs momentum > 0");
        assertMessage(() -> new RmsProp(0.01, 0.99, -1, 0, 0, false), "RMSProp: eps = -1.0 must be ≥ 0");
        assertMessage(() -> new AdamW(0.01, 0.9, 0.999, 1e-8, -0.1), "AdamW: weight decay = -0.1");
        assertMessage(() -> Optimizers.create("adamm", Map.of()), "unknown optimizer 'adamm'; valid: sgd, momentum");
        assertMessage(() -> Optimizers.create("adam", Map.of("momentum", "0.9")), "optimizer 'adam' does not take option 'momentum'; it takes: beta1, beta2, eps, lr, weight-decay");
        assertMessage(() -> Optimizers.create("adam", Map.of("lr", "fast")), "option 'lr' = 'fast' is not a number");
    }

    private static void assertMessage(Runnable r, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), "message was: " + e.getMessage());
    }

    /** The baseline optimizers of the registry (tuners, ECCO-DNN and AGD have their own contract tests). */
    static Stream<String> registered() {
        return Stream.of("sgd", "gd", "momentum", "nesterov", "rmsprop", "adam", "adamw", "adagrad");
    }

    @Test void everyRegisteredNameBuildsWithItsDefaults() {
        for (String name : Optimizers.names()) assertTrue(!Optimizers.create(name, Map.of()).name().isBlank(), name);
    }

    /** Contract: every registered optimizer runs, reports a positive finite learning rate and reduces the loss. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("registered")
    void everyRegisteredOptimizerReducesTheLossOnTheQuadratic(String name) {
        Quadratic f = OptimizerTesting.quadratic();
        double before = f.loss();
        List<StepResult> results = new ArrayList<>();
        OptimizerTesting.run(Optimizers.create(name, Map.of()), f, 50, results);
        for (StepResult r : results) assertTrue(r.learningRate() > 0 && Double.isFinite(r.learningRate()), name + " lr " + r.learningRate());
        assertTrue(f.loss() < before, name + ": loss " + before + " → " + f.loss());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("registered")
    void twoFreshInstancesGiveIdenticalNumbers(String name) {
        Quadratic a = OptimizerTesting.quadratic(), b = OptimizerTesting.quadratic();
        List<double[]> ra = OptimizerTesting.run(Optimizers.create(name, Map.of()), a, 10, null);
        List<double[]> rb = OptimizerTesting.run(Optimizers.create(name, Map.of()), b, 10, null);
        for (int t = 0; t < 10; t++) assertArrayEquals(ra.get(t), rb.get(t), 0.0);
    }

    @Test void preconditionersAreExposed() {
        RmsProp r = new RmsProp(0.01, 0.999, 1e-8, 0, 0, false);
        Quadratic qr = OptimizerTesting.quadratic();
        OptimizerState sr = OptimizerTesting.init(r, qr);
        assertTrue(r.capability(Preconditioned.class, sr).isEmpty(), "no preconditioner before the first step");
        OptimizerTesting.run(r, sr, qr, 0, 1, null);
        // P = √(0.001·g²) + ε with g = (1, 10): RMSProp's denominator after one step, v = (1 − α)·g², α = 0.999 (Tieleman & Hinton 2012, Lecture 6.5; torch.optim.RMSprop; docs/methods.md §3.8, §7.6)
        assertArrayEquals(new double[]{Math.sqrt(0.001) + 1e-8, Math.sqrt(0.001) * 10 + 1e-8}, r.preconditionerDiagonal(sr).toDoubleVector(), 1e-15);
        assertArrayEquals(r.preconditionerDiagonal(sr).toDoubleVector(),
                r.capability(Preconditioned.class, sr).orElseThrow().preconditionerDiagonal().toDoubleVector(), 0);
        Adam a = new Adam(0.1);
        Quadratic qa = OptimizerTesting.quadratic();
        OptimizerState sa = OptimizerTesting.init(a, qa);
        OptimizerTesting.run(a, sa, qa, 0, 1, null);
        // bias-corrected v̂ = g² after one step, so P = |g| + ε
        assertArrayEquals(new double[]{1 + 1e-8, 10 + 1e-8}, a.preconditionerDiagonal(sa).toDoubleVector(), 1e-12);
        assertTrue(new Sgd(0.1).capability(Preconditioned.class, OptimizerTesting.init(new Sgd(0.1), qa)).isEmpty());
    }
}
