package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Objective;
import org.tuneless.objective.Quadratic;
import org.tuneless.objective.Rosenbrock;
import org.tuneless.optim.tuner.ArmijoLineSearch;
import org.tuneless.optim.tuner.Cdat;
import org.tuneless.optim.tuner.HypergradientStep;
import org.tuneless.optim.tuner.PolyakStep;
import org.tuneless.optim.tuner.SharpnessRule;

/**
 * CDAT (Roulet et al., arXiv 2407.06183, eq. 8) and the classical tuners of the same paper (Armijo line search eq. 1,
 * quadratically greedy = CDAT σ = 1, Polyak) against hand-computed reference values (docs/methods.md §3.8), and the
 * tuner × base contract.
 */
class TunersTest {

    static double firstLr(Optimizer o, Objective f) {
        List<StepResult> r = new ArrayList<>();
        OptimizerTesting.run(o, f, 1, r);
        return r.get(0).learningRate();
    }

    static UpdateDirection gd() { return new Sgd(1.0); }

    @Test void firstStepOfGreedyCdatSharpnessRuleAndPolyakOnTheQuadratic() {
        assertEquals(0.1008991009, firstLr(Cdat.greedy(gd()), OptimizerTesting.quadratic()), 1e-10);
        assertEquals(0.2017982018, firstLr(new Cdat(gd(), 2.0), OptimizerTesting.quadratic()), 1e-10);
        assertEquals(0.2081043956, firstLr(new Cdat(gd(), 2.0625), OptimizerTesting.quadratic()), 1e-10);
        assertEquals(0.2, firstLr(new SharpnessRule(gd(), 2.0, org.tuneless.curvature.PowerIteration.builder().tolerance(1e-12).build()),
                OptimizerTesting.quadratic()), 1e-9);
        assertEquals(0.05445544554, firstLr(new PolyakStep(gd(), 0, 1), OptimizerTesting.quadratic()), 1e-10);
        assertEquals(0.05445544554, firstLr(new PolyakStep(gd(), 0, 100), OptimizerTesting.quadratic()), 1e-10);
        // the on-edge step makes the quadratic model's value equal f(w₀): q_f(η) − f(w₀) = −η·101 + η²·1001/2 = 0
        double eta = 0.2017982018;
        assertEquals(0, -eta * 101 + eta * eta * 1001 / 2, 1e-8);
    }

    @Test void firstStepOfGreedyCdatSharpnessRuleAndPolyakOnRosenbrockWithExactCurvature() {
        assertEquals(6.646686267e-4, firstLr(Cdat.greedy(gd()), Rosenbrock.standard()), 1e-13);
        assertEquals(1.329337253e-3, firstLr(new Cdat(gd(), 2.0), Rosenbrock.standard()), 1e-12);
        assertEquals(4.462691896e-4, firstLr(new PolyakStep(gd(), 0, 1), Rosenbrock.standard()), 1e-13);
        Rosenbrock r = Rosenbrock.standard();
        assertEquals(81585556.8, r.curvatureAlong(Nd4j.createFromArray(215.6, 88.0)), 1e-4, "exact uᵀHu, no finite-difference error");
        assertEquals(1.327697716e-3, firstLr(new SharpnessRule(gd(), 2.0, org.tuneless.curvature.PowerIteration.builder().tolerance(1e-12).build()),
                Rosenbrock.standard()), 1e-12);
    }

    static double armijo(Objective f, double c, double cMinus, double cPlus, Map<String, Double> diag) {
        ArmijoLineSearch ls = new ArmijoLineSearch(gd(), c, cPlus, cMinus, 0, ArmijoLineSearch.FULL_BATCH_TRIALS);
        List<StepResult> r = new ArrayList<>();
        OptimizerTesting.run(ls, f, 1, r);
        diag.putAll(r.get(0).diagnostics());
        return r.get(0).learningRate();
    }

    @Test void armijoAcceptsTheExpectedPowerOfCMinusWarmStartsAndReportsAnExhaustedBudget() {
        Map<String, Double> d = new java.util.HashMap<>();
        assertEquals(Math.pow(0.8, 8), armijo(OptimizerTesting.quadratic(), 1e-4, 0.8, Double.POSITIVE_INFINITY, d), 1e-15);
        assertEquals(9.0, d.get("ls.trials"), "8 backtracks = 9 trials");
        assertEquals(Math.pow(0.8, 11), armijo(OptimizerTesting.quadratic(), 0.5, 0.8, Double.POSITIVE_INFINITY, d), 1e-15);
        assertEquals(Math.pow(0.9, 16), armijo(OptimizerTesting.quadratic(), 0, 0.9, Double.POSITIVE_INFINITY, d), 1e-15);
        assertEquals(Math.pow(0.8, 20), armijo(Rosenbrock.standard(), 1e-4, 0.8, Double.POSITIVE_INFINITY, d), 1e-15);
        assertEquals(1.0, d.get("ls.satisfied"));
        // warm start: η_{t−1} = 0.05, c₊ = 4 → initial guess 0.2, accepted at once
        ArmijoLineSearch warm = new ArmijoLineSearch(gd(), 1e-4, 4, 0.8, 0, 30);
        assertEquals(0.2, warm.initialStep(0.05), 1e-15);
        Quadratic wq = OptimizerTesting.quadratic();
        OptimizerState ws = OptimizerTesting.init(warm, wq);
        ws.setScalar("eta_prev", 0.05);
        List<StepResult> r = new ArrayList<>();
        OptimizerTesting.run(warm, ws, wq, 0, 1, r);
        assertEquals(0.2, r.get(0).learningRate(), 1e-15);
        assertEquals(1.0, r.get(0).diagnostics().get("ls.trials"));
        // a budget too small to satisfy the condition: the last η tried is used and reported as unsatisfied
        ArmijoLineSearch tight = new ArmijoLineSearch(gd(), 1e-4, Double.POSITIVE_INFINITY, 0.8, 0, 3);
        List<StepResult> rt = new ArrayList<>();
        OptimizerTesting.run(tight, OptimizerTesting.quadratic(), 1, rt);
        assertEquals(0.64, rt.get(0).learningRate(), 1e-15);
        assertEquals(0.0, rt.get(0).diagnostics().get("ls.satisfied"));
    }

    @Test void hypergradientRescalesTheRateByTheCosineOfNewGradientAndLastDirection() {
        List<StepResult> r = new ArrayList<>();
        List<double[]> w = OptimizerTesting.run(new HypergradientStep(gd(), 0.1, 0.01), OptimizerTesting.quadratic(), 2, r);
        assertEquals(0.9, w.get(0)[0], 1e-15);
        assertEquals(0.0, w.get(0)[1], 1e-15);
        assertEquals(0.1000995037, r.get(1).learningRate(), 1e-10);
        List<StepResult> r2 = new ArrayList<>();
        OptimizerTesting.run(new HypergradientStep(gd(), 0.25, 0.1), OptimizerTesting.quadratic(), 2, r2);
        assertEquals(0.2252793314, r2.get(1).learningRate(), 1e-10);
    }

    @Test void cdatUsesAbsoluteCurvatureAndTakesNoStepAlongAnAscentDirection() {
        Quadratic saddle = Quadratic.diagonal(new double[]{-1, 10}, 1, 0.01);
        assertEquals(1.122222222, firstLr(new Cdat(gd(), 1.0), saddle), 1e-9);
        assertEquals(2.244444444, firstLr(new Cdat(gd(), 2.0), Quadratic.diagonal(new double[]{-1, 10}, 1, 0.01)), 1e-9);
        UpdateDirection ascent = new UpdateDirection() {
            @Override public String name() { return "ascent"; }
            @Override public OptimizerState init(org.tuneless.tensor.ParameterLayout layout, org.nd4j.linalg.api.buffer.DataType type) {
                return new OptimizerState(layout, type);
            }
            @Override public void direction(StepContext ctx, OptimizerState state, INDArray out) { out.assign(ctx.gradient()); }
        };
        List<StepResult> r = new ArrayList<>();
        Quadratic q = OptimizerTesting.quadratic();
        OptimizerTesting.run(new Cdat(ascent, 2.0), q, 1, r);
        assertEquals(0.0, r.get(0).learningRate());
        assertEquals(0.0, r.get(0).diagnostics().get("cdat.n"));
        assertEquals(1.0, q.parameters().getDouble(0), 0, "no step along an ascent direction");
    }

    @Test void cdatStepSizesOverThreeStepsWithAndWithoutEma() {
        double[][] expected = {{0.2017982018, 0.2011059889, 0.2006906779}, {0.2017982018, 0.2014278006, 0.2011462199}};
        double[] betas = {0, 0.9};
        for (int b = 0; b < 2; b++) {
            List<StepResult> r = new ArrayList<>();
            OptimizerTesting.run(new Cdat(gd(), 2.0, betas[b], 0, 1), OptimizerTesting.quadratic(), 3, r);
            for (int t = 0; t < 3; t++) assertEquals(expected[b][t], r.get(t).learningRate(), 1e-9, "β = " + betas[b] + ", step " + t);
        }
    }

    @Test void cdatOnEdgeStepAlongTheFirstRmsPropDirection() {
        RmsProp rms = new RmsProp(1.0, 0.999, 1e-8, 0, 0, false);
        assertEquals(0.06324555684, firstLr(new Cdat(rms, 2.0), OptimizerTesting.quadratic()), 1e-10);
    }

    @Test void curvatureRefreshEveryKStepsReusesTheLastCurvature() {
        List<StepResult> r = new ArrayList<>();
        OptimizerTesting.run(new Cdat(gd(), 2.0, 0, 0, 3), OptimizerTesting.quadratic(), 4, r);
        assertEquals(1.0, r.get(0).diagnostics().get("cdat.curvature_fresh"));
        assertEquals(0.0, r.get(1).diagnostics().get("cdat.curvature_fresh"));
        assertEquals(r.get(0).diagnostics().get("cdat.d"), r.get(2).diagnostics().get("cdat.d"));
        assertEquals(1.0, r.get(3).diagnostics().get("cdat.curvature_fresh"));
    }

    static final List<String> TUNERS = List.of("cdat", "greedy", "linesearch", "polyak", "hypergradient", "sharpness-rule");
    static final List<String> BASES = List.of("gd", "momentum", "nesterov", "rmsprop", "adam");

    static Stream<Arguments> tunerTimesBase() {
        return TUNERS.stream().flatMap(t -> BASES.stream().map(b -> Arguments.of(t, b)));
    }

    /**
     * Options of the contract runs. CDAT's default σ = 2 is the edge by construction: on an exact quadratic every step
     * lands on the same level set (q_f(η) = f), so the contract uses σ = 1.5; σ/λmax on momentum bases is amplified up to
     * 1/(1 − μ) = 10×, so the sharpness rule uses σ = 0.1 there.
     */
    static Map<String, String> contractOptions(String tuner, String base) {
        return switch (tuner) {
            case "cdat" -> Map.of("base", base, "scale", "1.5");
            case "sharpness-rule" -> Map.of("base", base, "scale", "0.1");
            default -> Map.of("base", base);
        };
    }

    /** Contract (optax contrib/_common_test.py pattern): every tuner on every base runs, reports its lr, reduces a parabola. */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("tunerTimesBase")
    void everyTunerOnEveryBaseReducesTheLossOnAParabola(String tuner, String base) {
        Quadratic f = OptimizerTesting.quadratic();
        double before = f.loss();
        List<StepResult> r = new ArrayList<>();
        OptimizerTesting.run(Optimizers.create(tuner, contractOptions(tuner, base)), f, 30, r);
        for (StepResult s : r) assertTrue(Double.isFinite(s.learningRate()) && s.learningRate() >= 0, tuner + "/" + base + " lr " + s.learningRate());
        assertTrue(r.stream().anyMatch(s -> s.learningRate() > 0));
        assertTrue(f.loss() < 0.9 * before, tuner + " on " + base + ": " + before + " → " + f.loss());
    }

    @Test void selfTuningOptimizersAreReachableByNameWithValidation() {
        assertTrue(Optimizers.create("ecco", Map.of("eta", "10")).name().startsWith("ecco(eta=10"));
        assertEquals("agd", Optimizers.create("agd", Map.of()).name());
        assertTrue(Optimizers.create("cdat", Map.of("base", "adam", "scale", "2", "ema", "0.9")).name().contains("adam"));
        assertTrue(Optimizers.create("linesearch", Map.of("base", "sgd")).name().startsWith("linesearch(sgd"));
        assertMessage(() -> Optimizers.create("ecco", Map.of("eta", "-1")), "eta (LTE tolerance) = -1.0 must be a positive");
        assertMessage(() -> Optimizers.create("cdat", Map.of("scale", "0")), "scale σ = 0.0 must be a positive");
        assertMessage(() -> Optimizers.create("cdat", Map.of("base", "agd")), "unknown base 'agd'; valid bases: gd");
        assertMessage(() -> Optimizers.create("cdat", Map.of("ema", "1.0")), "ema β = 1.0 is outside [0, 1)");
        assertMessage(() -> Optimizers.create("greedy", Map.of("scale", "2")), "does not take option 'scale'");
    }

    private static void assertMessage(Runnable r, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), "message was: " + e.getMessage());
    }
}
