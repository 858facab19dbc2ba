package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.metrics.Metrics;
import org.tuneless.objective.Quadratic;

/** Weight averaging around any optimizer: EMA, SWA and polynomial averages by hand on three steps; the evaluation point. */
class AveragingTest {

    /** The averages after each of 3 SGD steps (lr 0.05) on the quadratic, from the wrapper and its EvaluationPoint. */
    static List<double[]> averages(Averaged.Mode mode, List<double[]> iterates, List<StepResult> results) {
        Averaged o = new Averaged(new Sgd(0.05, 0, 0, false, 0), mode);
        Quadratic f = OptimizerTesting.quadratic();
        OptimizerState s = OptimizerTesting.init(o, f);
        assertTrue(o.capability(EvaluationPoint.class, s).isEmpty(), "no average before the first step");
        INDArray g = Nd4j.zeros(f.dataType(), f.dimension());
        List<double[]> out = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            results.add(o.step(OptimizerTesting.context(f, t, g), s));
            iterates.add(f.parameters().toDoubleVector());
            EvaluationPoint p = o.capability(EvaluationPoint.class, s).orElseThrow();
            out.add(p.evaluationPoint(s, f.parameters()).toDoubleVector());
        }
        return out;
    }

    /** The SGD iterates by hand: w ← (1 − 0.05·h)·w with h = (1, 10). */
    static double[] x(int t) { return new double[]{Math.pow(0.95, t), Math.pow(0.5, t)}; }

    static double[] mix(double a, double[] u, double b, double[] v) { return new double[]{a * u[0] + b * v[0], a * u[1] + b * v[1]}; }

    @Test void emaAveragesByHand() {
        List<double[]> it = new ArrayList<>();
        List<StepResult> r = new ArrayList<>();
        List<double[]> avg = averages(Averaged.ema(0.5), it, r);
        for (int t = 0; t < 3; t++) assertArrayEquals(x(t + 1), it.get(t), 1e-15, "the base steps as alone");
        double[] a1 = x(1), a2 = mix(0.5, a1, 0.5, x(2)), a3 = mix(0.5, a2, 0.5, x(3));
        assertArrayEquals(a1, avg.get(0), 1e-15);
        assertArrayEquals(a2, avg.get(1), 1e-15);
        assertArrayEquals(a3, avg.get(2), 1e-15);
        assertEquals(1.0, r.get(0).diagnostics().get(Metrics.AVERAGE_WEIGHT), 0);
        assertEquals(0.5, r.get(2).diagnostics().get(Metrics.AVERAGE_WEIGHT), 0);
        assertEquals(0.05, r.get(2).learningRate(), 0, "the base's learning rate");
    }

    @Test void swaIsTheUniformAverageFromItsStartStep() {
        List<double[]> avg = averages(Averaged.swa(2), new ArrayList<>(), new ArrayList<>());
        assertArrayEquals(x(1), avg.get(0), 1e-15, "before the start the average follows the iterate");
        assertArrayEquals(x(2), avg.get(1), 1e-15);
        assertArrayEquals(mix(0.5, x(2), 0.5, x(3)), avg.get(2), 1e-15);
        List<double[]> all = averages(Averaged.swa(1), new ArrayList<>(), new ArrayList<>());
        double[] mean = {(x(1)[0] + x(2)[0] + x(3)[0]) / 3, (x(1)[1] + x(2)[1] + x(3)[1]) / 3};
        assertArrayEquals(mean, all.get(2), 1e-15);
    }

    @Test void polynomialAveragesByHand() {
        List<double[]> avg = averages(Averaged.polynomial(8), new ArrayList<>(), new ArrayList<>());
        double[] a1 = x(1);
        double w2 = 9.0 / 10, w3 = 9.0 / 11;
        double[] a2 = mix(1 - w2, a1, w2, x(2)), a3 = mix(1 - w3, a2, w3, x(3));
        assertArrayEquals(a1, avg.get(0), 1e-15);
        assertArrayEquals(a2, avg.get(1), 1e-15);
        assertArrayEquals(a3, avg.get(2), 1e-15);
    }

    @Test void theCatalogEntryWrapsAnyOptimizerAndValidates() {
        Optimizer o = Optimizers.create("averaged", Map.of("base", "prodigy", "mode", "swa", "start", "3"));
        assertEquals("averaged(prodigy(), swa(from 3))", o.name());
        assertTrue(Optimizers.create("averaged", Map.of("base", "dog", "mode", "poly")).name().contains("poly(8)"));
        assertTrue(Optimizers.create("averaged", Map.of("base", "adam", "lr", "0.01")).name().contains("adam(lr=0.01)"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("averaged", Map.of("beta", "1")));
        assertTrue(e.getMessage().contains("beta") && e.getMessage().contains("[0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("averaged", Map.of("mode", "median")));
        assertTrue(e.getMessage().contains("median") && e.getMessage().contains("ema, swa, poly"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("averaged", Map.of("start", "0")));
        assertTrue(e.getMessage().contains("start") && e.getMessage().contains("1, 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Averaged.ema(-0.1));
        assertThrows(IllegalArgumentException.class, () -> Averaged.swa(0));
    }

    @Test void everyModeRoundTripsItsState() {
        for (Averaged.Mode m : List.of(Averaged.ema(0.9), Averaged.swa(4), Averaged.polynomial(8))) {
            WrapperTesting.assertStateRoundTrip(new Averaged(new Adam(0.05), m), OptimizerTesting::quadratic);
        }
    }
}
