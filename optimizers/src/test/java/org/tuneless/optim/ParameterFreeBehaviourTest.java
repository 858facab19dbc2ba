package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tuneless.optim.ParameterFreeTesting.mlp;
import static org.tuneless.optim.ParameterFreeTesting.quadratic;
import static org.tuneless.optim.ParameterFreeTesting.split3;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.curvature.Preconditioned;
import org.tuneless.metrics.Metrics;
import org.tuneless.nn.NetworkObjective;
import org.tuneless.objective.Objective;
import org.tuneless.objective.Quadratic;
import org.tuneless.optim.ParameterFreeTesting.Run;

/**
 * The learning-rate-free optimizers beyond the reference numbers: the zero-gradient first step of each, as the
 * official implementations behave; convergence; state round trips (resuming from a copy of the state and parameters
 * continues bit for bit); options; the reported learning rate; invalid hyperparameters.
 */
class ParameterFreeBehaviourTest {

    /** The quadratic, except that the first gradient it returns is zero. */
    static final class ZeroFirstGradient implements Objective {
        final Quadratic q = quadratic();
        int calls = 0;

        @Override public INDArray parameters() { return q.parameters(); }

        @Override public double loss() { return q.loss(); }

        @Override public double lossAndGradient(INDArray out) {
            double l = q.lossAndGradient(out);
            if (calls++ == 0) out.assign(0);
            return l;
        }

        @Override public void hvp(INDArray v, INDArray out) { q.hvp(v, out); }

        @Override public double curvatureAlong(INDArray u) { return q.curvatureAlong(u); }
    }

    static final double[] X0 = {1, 1, 1};

    // ---------------------------------------------------------------- zero gradient on the first step

    @Test void dogWithAZeroFirstGradientDoesNotMoveAndThenStepsAsFromAFreshStart() {
        Run z = new Run(new Dog(), new ZeroFirstGradient());
        z.step();
        assertArrayEquals(X0, z.x(), 0);
        assertEquals(0.027320508075688768, z.last.learningRate(), 1e-9 * 0.0273);
        z.step();
        Run fresh = new Run(new Dog(), quadratic());
        fresh.step();
        assertArrayEquals(fresh.x(), z.x(), 0, "the second step equals a fresh first step");

        Run l = new Run(new LDog(), new ZeroFirstGradient(), split3());
        l.step();
        assertArrayEquals(X0, l.x(), 0);
        assertEquals(2e-6 / 1e-4, l.scalar("eta/z"), 1e-15);

        Run noEps = new Run(new Dog(1e-6, 0, Double.NaN, 0, 1), new ZeroFirstGradient());
        IllegalStateException e = assertThrows(IllegalStateException.class, noEps::step);
        assertTrue(e.getMessage().contains("eps"), e.getMessage());
    }

    @Test void dadaptSgdFailsOnAZeroFirstGradientAndRecoversOnTheNextCall() {
        Run z = new Run(new DAdaptSgd(), new ZeroFirstGradient());
        OptimizerState before = z.state.copy();
        IllegalStateException e = assertThrows(IllegalStateException.class, z::step);
        assertTrue(e.getMessage().contains("first gradient is zero"), e.getMessage());
        assertArrayEquals(X0, z.x(), 0, "nothing moved");
        assertEquals(0, z.scalar("k"));
        assertEquals(0, z.scalar("g0_norm"), "‖g0‖ recorded as 0");
        assertEquals(before, z.state, "nothing else changed");
        z.t = 0;
        z.step();
        Run fresh = new Run(new DAdaptSgd(), quadratic());
        fresh.step();
        assertArrayEquals(fresh.x(), z.x(), 0, "the next call is a fresh first step");
        assertEquals(fresh.state, z.state);
        assertEquals(100.50373127401788, z.scalar("g0_norm"), 1e-12);
    }

    @Test void dadaptAdamAndProdigyReturnEarlyOnAZeroFirstGradient() {
        for (Supplier<Optimizer> o : List.<Supplier<Optimizer>>of(DAdaptAdam::new, Prodigy::new)) {
            Run z = new Run(o.get(), new ZeroFirstGradient());
            z.step();
            assertArrayEquals(X0, z.x(), 0, o.get().name() + ": no move");
            assertEquals(0, z.scalar("k"), o.get().name() + ": k stays 0");
            assertEquals(1e-6, z.scalar("d"), 0);
            z.step();
            Run fresh = new Run(o.get(), quadratic());
            fresh.step();
            assertArrayEquals(fresh.x(), z.x(), 0, o.get().name() + ": then a fresh first step");
        }
    }

    @Test void mechanicWithAZeroFirstGradientDoesNotMoveButSetsItsScale() {
        Run z = new Run(new Mechanic(new Sgd(1.0)), new ZeroFirstGradient());
        z.step();
        assertArrayEquals(X0, z.x(), 0);
        double expected = 0;
        for (double b : new double[]{0.9, 0.99, 0.999, 0.9999, 0.99999, 0.999999}) expected += b * 1e-6 / 6;
        assertEquals(9.814815e-07, z.last.diagnostics().get(Metrics.MECHANIC_S_SUM), 5e-14);
        assertEquals(expected, z.last.diagnostics().get(Metrics.MECHANIC_S_SUM), 1e-20);
    }

    // ---------------------------------------------------------------- convergence

    static Stream<Arguments> everyMethod() {
        return Stream.of(
                Arguments.of("dog", (Supplier<Optimizer>) Dog::new),
                Arguments.of("ldog", (Supplier<Optimizer>) LDog::new),
                Arguments.of("averaged dog", (Supplier<Optimizer>) () -> Averaged.polynomialDecay(new Dog())),
                Arguments.of("dadapt-sgd", (Supplier<Optimizer>) DAdaptSgd::new),
                Arguments.of("dadapt-adam", (Supplier<Optimizer>) DAdaptAdam::new),
                Arguments.of("prodigy", (Supplier<Optimizer>) Prodigy::new),
                Arguments.of("mechanic(sgd)", (Supplier<Optimizer>) () -> new Mechanic(new Sgd(1.0))),
                Arguments.of("mechanic(adam)", (Supplier<Optimizer>) () -> new Mechanic(new Adam(1.0))));
    }

    @ParameterizedTest(name = "{0}") @MethodSource("everyMethod")
    void reducesTheQuadraticsLossTenfoldIn100StepsAndHundredfoldIn300(String name, Supplier<Optimizer> make) {
        Run r = new Run(make.get(), quadratic());
        double start = r.loss();
        r.until(100);
        double at100 = r.loss();
        r.until(300);
        double at300 = r.f.lossAt(r.optimizer.capability(EvaluationPoint.class, r.state).map(p -> p.evaluationPoint(r.state, r.f.parameters())).orElse(r.f.parameters()));
        System.out.printf("%-16s quadratic loss %.4g → %.4g (step 100) → %.4g (step 300, at its evaluation point)%n", name, start, at100, at300);
        assertTrue(at100 < start / 10, name + ": " + start + " → " + at100 + " at step 100");
        assertTrue(at300 < start / 100, name + ": " + start + " → " + at300 + " at step 300");
    }

    @ParameterizedTest(name = "{0}") @MethodSource("everyMethod")
    void reducesTheMlpsLossIn200Steps(String name, Supplier<Optimizer> make) {
        Run r = new Run(make.get(), mlp());
        double start = r.loss();
        r.until(200);
        double end = r.loss();
        System.out.printf("%-16s MLP loss %.6f → %.6f after 200 steps, lr %.4g%n", name, start, end, r.last.learningRate());
        if (name.equals("dadapt-sgd")) {
            assertTrue(end > 2, "D-Adapt SGD's step d/‖g0‖ ≈ 21 blows up on this MLP, as the official implementation does: " + end);
        } else {
            assertTrue(end < start - 0.015, name + ": " + start + " → " + end);
        }
    }

    @ParameterizedTest(name = "{0}") @MethodSource("variants")
    void trainsAFloat32NetworkWithTheTrainerAndRecordsItsDiagnostics(String name, Supplier<Optimizer> make) {
        org.tuneless.nn.Network net = org.tuneless.nn.Models.mlpBuilder(org.tuneless.nn.Models.Activation.RELU, true, org.tuneless.nn.Init.HE, 6, 12, 3)
                .build(DataType.FLOAT, 1);
        org.tuneless.train.TrainingRun run = org.tuneless.train.Trainer.builder().network(net).loss(new org.tuneless.nn.SoftmaxCrossEntropy())
                .data(OptimizerStateTest.from(OptimizerStateTest.batches(), 0)).optimizer(make.get()).steps(5).build().run();
        assertEquals(5, run.history().size(), name + ": " + run.statusMessage());
        assertTrue(Double.isFinite(run.finalLoss()), name);
        assertTrue(run.history().get(4).learningRate() > 0, name + ": the adapted step size is reported");
        assertEquals(DataType.FLOAT, run.optimizerState().tensorsByParameter().values().iterator().next().dataType(), name);
        assertTrue(run.metricNames().stream().anyMatch(m -> m.startsWith("dog.") || m.startsWith("ldog.") || m.startsWith("dadapt.")
                || m.startsWith("prodigy.") || m.startsWith("mechanic.") || m.startsWith("average.")), name + ": " + run.metricNames());
    }

    // ---------------------------------------------------------------- state round trip

    static final int K = 7;
    static final int MORE = 10;

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of("dog", (Supplier<Optimizer>) Dog::new),
                Arguments.of("dog wd init_eta", (Supplier<Optimizer>) () -> new Dog(1e-6, 1e-8, 1e-4, 0.01, 1)),
                Arguments.of("ldog", (Supplier<Optimizer>) LDog::new),
                Arguments.of("averaged dog", (Supplier<Optimizer>) () -> Averaged.polynomialDecay(new Dog())),
                Arguments.of("averaged adam", (Supplier<Optimizer>) () -> new Averaged(new Adam(1e-2), Averaged.polynomial(2))),
                Arguments.of("dadapt-sgd", (Supplier<Optimizer>) DAdaptSgd::new),
                Arguments.of("dadapt-sgd momentum wd", (Supplier<Optimizer>) () -> new DAdaptSgd(1, 0.9, 1e-3, 1e-6, 1.02)),
                Arguments.of("dadapt-adam", (Supplier<Optimizer>) DAdaptAdam::new),
                Arguments.of("dadapt-adam decoupled bc", (Supplier<Optimizer>) () -> new DAdaptAdam(1, 0.9, 0.999, 1e-8, 1e-2, true, true, 1e-6, 1.05)),
                Arguments.of("prodigy", (Supplier<Optimizer>) Prodigy::new),
                Arguments.of("prodigy beta1=0 coupled safeguard", (Supplier<Optimizer>) () ->
                        new Prodigy(1, 0, 0.99, 0.9, 1e-8, 1e-3, false, true, true, 1e-6, 2, 1.1, 1)),
                Arguments.of("mechanic(sgd)", (Supplier<Optimizer>) () -> new Mechanic(new Sgd(1.0))),
                Arguments.of("mechanic(momentum)", (Supplier<Optimizer>) () -> new Mechanic(Sgd.momentum(0.1, 0.9))),
                Arguments.of("mechanic(adam)", (Supplier<Optimizer>) () -> new Mechanic(new Adam(1.0))));
    }

    @ParameterizedTest(name = "{0}") @MethodSource("variants")
    void resumingFromACopyOfTheStateAndParametersContinuesBitForBit(String name, Supplier<Optimizer> make) {
        Run whole = new Run(make.get(), mlp()).until(K);
        OptimizerState saved = whole.state.copy();
        double[] params = whole.x();
        whole.until(K + MORE);

        NetworkObjective other = mlp();
        other.parameters().assign(org.nd4j.linalg.factory.Nd4j.createFromArray(params));
        Optimizer fresh = make.get();
        Run resumed = new Run(fresh, other);
        resumed.state.assign(saved);
        resumed.t = K;
        resumed.until(K + MORE);

        assertArrayEquals(whole.x(), resumed.x(), 0, name + ": parameters");
        assertEquals(whole.state, resumed.state, name + ": state");
        assertEquals(whole.last.learningRate(), resumed.last.learningRate(), 0, name + ": learning rate");
        assertNotEquals(saved, whole.state, name + ": the state does advance");
    }

    // ---------------------------------------------------------------- options and reporting

    @Test void dogsInitEtaSetsTheFirstStepAndRbarStartsAtZero() {
        Run r = new Run(new Dog(1e-6, 1e-8, 1e-3, 0, 1), quadratic());
        r.step();
        assertEquals(1e-3, r.last.learningRate(), 0);
        assertEquals(0, r.scalar("rbar"), 0);
        assertArrayEquals(new double[]{1 - 1e-3, 1 - 1e-2, 1 - 1e-1}, r.x(), 1e-15);
        r.step();
        assertEquals(1e-3 * Math.sqrt(1 + 100 + 10000), r.scalar("rbar"), 1e-15, "r̄ = ‖x1 − x0‖ = initEta·‖g0‖");
    }

    @Test void dogsCoupledWeightDecayEntersG() {
        Run r = new Run(new Dog(1e-6, 1e-8, Double.NaN, 0.1, 1), quadratic());
        r.step();
        assertEquals(1.1 * 1.1 + 10.1 * 10.1 + 100.1 * 100.1 + 1e-8, r.scalar("G"), 1e-9);
    }

    @Test void ldogReportsItsLargestEtaAndEveryTensorsEta() {
        Run r = new Run(new LDog(), mlp());
        r.step();
        double max = Math.max(Math.max(r.scalar("eta/dense0.W"), r.scalar("eta/dense0.b")), Math.max(r.scalar("eta/dense1.W"), r.scalar("eta/dense1.b")));
        assertEquals(max, r.last.learningRate(), 0);
        assertEquals(max, r.last.diagnostics().get(Metrics.LDOG_ETA_MAX), 0);
        assertEquals(r.scalar("eta/dense1.W"), r.last.diagnostics().get(Metrics.LDOG_ETA_PREFIX + "dense1.W"), 0);
    }

    @Test void theAverageStartsAtTheFirstIterateAndWeighsWithPolynomialDecay() {
        Averaged avg = new Averaged(new Sgd(0.01), Averaged.polynomial(8));
        Run r = new Run(avg, quadratic());
        assertTrue(avg.capability(EvaluationPoint.class, r.state).isEmpty(), "no average before the first step");
        r.step();
        assertArrayEquals(r.x(), avg.average(r.state).toDoubleVector(), 0, "x̄ = x_1");
        assertEquals(1.0, r.last.diagnostics().get(Metrics.AVERAGE_WEIGHT), 0);
        double[] mean = avg.average(r.state).toDoubleVector();
        r.step();
        double w = 9.0 / 10.0;
        double[] x2 = r.x();
        for (int i = 0; i < 3; i++) assertEquals(mean[i] * (1 - w) + w * x2[i], avg.average(r.state).getDouble(i), 1e-15);
        assertEquals(w, r.last.diagnostics().get(Metrics.AVERAGE_WEIGHT), 0);
        assertEquals(0.01, r.last.learningRate(), 0, "the base's learning rate");
        // the trajectory is the base's own
        Run plain = new Run(new Sgd(0.01), quadratic()).until(2);
        assertArrayEquals(plain.x(), r.x(), 0);
        // γ = 0: the uniform average
        Run u = new Run(new Averaged(new Sgd(0.01), Averaged.polynomial(0)), quadratic());
        double[] sum = new double[3];
        for (int t = 0; t < 5; t++) {
            u.step();
            for (int i = 0; i < 3; i++) sum[i] += u.x()[i];
        }
        for (int i = 0; i < 3; i++) assertEquals(sum[i] / 5, ((Averaged) u.optimizer).average(u.state).getDouble(i), 1e-15);
        // other capabilities are the base's
        Averaged adam = Averaged.polynomialDecay(new Adam(1e-3));
        Run a = new Run(adam, quadratic()).until(1);
        assertTrue(adam.capability(Preconditioned.class, a.state).isPresent());
        assertTrue(new Mechanic(new Adam(1.0)).capability(Preconditioned.class, new Run(new Mechanic(new Adam(1.0)), quadratic()).until(1).state).isPresent());
    }

    @Test void theReportedLearningRatesAreTheAdaptedStepSizes() {
        Run s = new Run(new DAdaptSgd(), quadratic()).until(4);
        double d = s.scalar("d");
        s.step();
        assertEquals(d / s.scalar("g0_norm"), s.last.learningRate(), 0, "D-Adapt SGD: d·lr/‖g0‖ with the d before the step");
        Run a = new Run(new DAdaptAdam(1, 0.9, 0.999, 1e-8, 0, false, true, 1e-6, Double.POSITIVE_INFINITY), quadratic()).until(4);
        d = a.scalar("d");
        a.step();
        assertEquals(d * Math.sqrt(1 - Math.pow(0.999, 5)) / (1 - Math.pow(0.9, 5)), a.last.learningRate(), 1e-18, "D-Adapt Adam: d·lr·bc");
        Run p = new Run(new Prodigy(), quadratic()).until(4);
        d = p.scalar("d");
        p.step();
        assertEquals(d, p.last.learningRate(), 0, "Prodigy: d·lr");
        assertEquals(p.scalar("d"), p.last.diagnostics().get(Metrics.PRODIGY_D), 0);
        Run m = new Run(new Mechanic(new Sgd(0.5)), quadratic()).until(3);
        assertEquals(0.5 * m.last.diagnostics().get(Metrics.MECHANIC_S_SUM), m.last.learningRate(), 0, "Mechanic: Σs × base lr");
    }

    @Test void biasCorrectionMakesDAdaptAdamsFirstMoveAboutD0() {
        Run a = new Run(new DAdaptAdam(1, 0.9, 0.999, 1e-8, 0, false, true, 1e-6, Double.POSITIVE_INFINITY), quadratic());
        a.step();
        for (double x : a.x()) assertEquals(1 - 1e-6, x, 1e-12);
    }

    @Test void prodigysOptions() {
        // β1 = 0: x −= dlr·d·g/(√v + d·ε) with v = d²(1−β2)g², a first move of d0/√(1−β2)
        Run b = new Run(new Prodigy(1, 0, 0.999, Double.NaN, 1e-8, 0, true, false, false, 1e-6, 1, Double.POSITIVE_INFINITY, 1), quadratic());
        assertTrue(!b.state.hasTensor("exp_avg"), "no first moment with β1 = 0");
        b.step();
        for (double x : b.x()) assertEquals(1 - 1e-6 / Math.sqrt(0.001), x, 1e-10);  // ε shifts the smallest coordinate by 1e-11
        // safeguard warmup: s grows with d, not d·lr
        Run plain = new Run(new Prodigy(0.5, 0.9, 0.999, Double.NaN, 1e-8, 0, true, false, false, 1e-6, 1, Double.POSITIVE_INFINITY, 1), quadratic());
        Run safe = new Run(new Prodigy(0.5, 0.9, 0.999, Double.NaN, 1e-8, 0, true, false, true, 1e-6, 1, Double.POSITIVE_INFINITY, 1), quadratic());
        plain.step();
        safe.step();
        assertEquals(0.5 * 1.11e-4, plain.scalar("d_denom"), 1e-18);
        assertEquals(1.11e-4, safe.scalar("d_denom"), 1e-18);
        // decoupled decay shrinks x by (1 − λ·dlr) before the step; coupled decay enters the gradient
        Run dec = new Run(new Prodigy(1, 0.9, 0.999, Double.NaN, 1e-8, 0.5, true, false, false, 1e-6, 1, Double.POSITIVE_INFINITY, 1), quadratic());
        Run none = new Run(new Prodigy(), quadratic());
        dec.step();
        none.step();
        for (int i = 0; i < 3; i++) assertEquals(none.x()[i] - 0.5 * 1e-6, dec.x()[i], 1e-15);
        // a finite growth rate: while d = d0 the first increase is not capped (the official quirk), later ones are
        Run g = new Run(new Prodigy(1, 0.9, 0.999, Double.NaN, 1e-8, 0, true, false, false, 1e-6, 1, 1.0, 1), quadratic());
        TreeSet<Double> ds = new TreeSet<>();
        g.until(30, (t, r) -> ds.add(g.scalar("d")));
        assertEquals(2, ds.size(), "d jumps once from d0 and then stays (growth rate 1): " + ds);
        assertTrue(ds.last() > 1.5e-6, "the jump exceeds the cap d·1 (official: 1.5815e-6 at step 2): " + ds);
    }

    @Test void dadaptsGrowthRateCapsTheIncrease() {
        Run r = new Run(new DAdaptSgd(1, 0, 0, 1e-6, 1.5), quadratic());
        List<Double> ds = new ArrayList<>();
        r.until(60, (t, res) -> ds.add(r.scalar("d")));
        for (int i = 1; i < ds.size(); i++) assertTrue(ds.get(i) <= ds.get(i - 1) * 1.5 * (1 + 1e-15), "step " + i + ": " + ds);
        assertTrue(ds.get(ds.size() - 1) > 1e-3, "d still grows: " + ds);
    }

    // ---------------------------------------------------------------- invalid hyperparameters

    static void rejects(Executable make, String... mentions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make);
        for (String m : mentions) assertTrue(e.getMessage().contains(m), "message '" + e.getMessage() + "' should mention '" + m + "'");
    }

    @Test void invalidHyperparametersAreRejectedNamingTheArgumentAndItsRange() {
        rejects(() -> new Dog(-1, 1e-8, Double.NaN, 0, 1), "DoG", "reps_rel", "positive");
        rejects(() -> new Dog(1e-6, -1, Double.NaN, 0, 1), "DoG", "eps", "≥ 0");
        rejects(() -> new Dog(1e-6, 1e-8, -2, 0, 1), "DoG", "init_eta", "positive");
        rejects(() -> new LDog(1e-6, 1e-8, Double.NaN, -0.1, 1), "LDoG", "weight decay", "≥ 0");
        rejects(() -> new Dog(1e-6, 1e-8, Double.NaN, 0, 0), "DoG", "lr", "positive");
        rejects(() -> Averaged.polynomial(-1), "gamma", "≥ 0");
        rejects(() -> new DAdaptSgd(1, 1.0, 0, 1e-6, Double.POSITIVE_INFINITY), "D-Adapt SGD", "momentum", "[0, 1)");
        rejects(() -> new DAdaptSgd(1, 0, 0, 0, Double.POSITIVE_INFINITY), "D-Adapt SGD", "d0", "positive");
        rejects(() -> new DAdaptSgd(1, 0, 0, 1e-6, 0.5), "D-Adapt SGD", "growth rate", "≥ 1");
        rejects(() -> new DAdaptAdam(1, 0.9, 1.5, 1e-8, 0, false, false, 1e-6, Double.POSITIVE_INFINITY), "D-Adapt Adam", "beta2", "[0, 1)");
        rejects(() -> new DAdaptAdam(-1, 0.9, 0.999, 1e-8, 0, false, false, 1e-6, Double.POSITIVE_INFINITY), "D-Adapt Adam", "lr", "positive");
        rejects(() -> new Prodigy(1, 0.9, 0.999, Double.NaN, 1e-8, 0, true, false, false, 1e-6, 1, Double.POSITIVE_INFINITY, 11), "Prodigy", "slice_p", "only slice_p = 1");
        rejects(() -> new Prodigy(1, 0.9, 0.999, 1.0, 1e-8, 0, true, false, false, 1e-6, 1, Double.POSITIVE_INFINITY, 1), "Prodigy", "beta3", "[0, 1)");
        rejects(() -> new Prodigy(1, 0.9, 0.999, Double.NaN, 1e-8, 0, true, false, false, 1e-6, 0, Double.POSITIVE_INFINITY, 1), "Prodigy", "d_coef", "positive");
        rejects(() -> new Mechanic(null), "Mechanic", "base");
        rejects(() -> new Mechanic(new Sgd(1), -0.01, new double[]{0.9}, 1e-8, 1e-8), "Mechanic", "s_decay", "≥ 0");
        rejects(() -> new Mechanic(new Sgd(1), 0.01, new double[]{0.9, 1.0}, 1e-8, 1e-8), "Mechanic", "betas[1]", "[0, 1)");
        rejects(() -> new Mechanic(new Sgd(1), 0.01, new double[]{0.9}, 0, 1e-8), "Mechanic", "s_init", "positive");
    }

    @Test void namesShowTheNonDefaultHyperparameters() {
        assertEquals("dog()", new Dog().name());
        assertEquals("ldog(init_eta=0.001)", new LDog(1e-6, 1e-8, 1e-3, 0, 1).name());
        assertEquals("averaged(dog(), poly(8))", Averaged.polynomialDecay(new Dog()).name());
        assertEquals("dadapt-sgd(momentum=0.9)", new DAdaptSgd(1, 0.9, 0, 1e-6, Double.POSITIVE_INFINITY).name());
        assertEquals("dadapt-adam()", new DAdaptAdam().name());
        assertEquals("prodigy(d_coef=0.5)", new Prodigy(1, 0.9, 0.999, Double.NaN, 1e-8, 0, true, false, false, 1e-6, 0.5, Double.POSITIVE_INFINITY, 1).name());
        assertEquals("mechanic(adam(lr=1))", new Mechanic(new Adam(1.0)).name());
        assertEquals(DataType.DOUBLE, new Mechanic(new Adam(1.0)).init(split3(), DataType.DOUBLE).tensor("ref").dataType());
    }
}
