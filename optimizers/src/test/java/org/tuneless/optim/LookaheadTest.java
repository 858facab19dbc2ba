package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.tuneless.metrics.Metrics;
import org.tuneless.objective.Quadratic;

/** Lookahead (arXiv 1907.08610) around any optimizer, by hand on the quadratic. */
class LookaheadTest {

    @Test void afterKStepsTheSlowWeightsMoveAlphaTowardTheFastOnes() {
        // SGD lr 0.05 on ½(w₁² + 10w₂²): one fast step multiplies w by (0.95, 0.5)
        Lookahead o = new Lookahead(new Sgd(0.05, 0, 0, false, 0), 3, 0.5);
        Quadratic f = OptimizerTesting.quadratic();
        OptimizerState s = OptimizerTesting.init(o, f);
        List<StepResult> r = new ArrayList<>();
        List<double[]> w = OptimizerTesting.run(o, s, f, 0, 6, r);
        assertArrayEquals(new double[]{0.95, 0.5}, w.get(0), 1e-15, "fast step 1");
        assertArrayEquals(new double[]{0.95 * 0.95, 0.25}, w.get(1), 1e-15, "fast step 2");
        // step 3: fast θ = (0.95³, 0.5³), slow φ = φ₀ + 0.5(θ − φ₀) with φ₀ = (1, 1); θ ← φ
        double[] slow = {1 + 0.5 * (Math.pow(0.95, 3) - 1), 1 + 0.5 * (0.125 - 1)};
        assertArrayEquals(slow, w.get(2), 1e-15, "synchronized at step 3");
        assertEquals(0.0, r.get(1).diagnostics().get(Metrics.LOOKAHEAD_SYNC), 0);
        assertEquals(1.0, r.get(2).diagnostics().get(Metrics.LOOKAHEAD_SYNC), 0);
        assertEquals(Math.hypot(Math.pow(0.95, 3) - 1, 0.125 - 1), r.get(2).diagnostics().get(Metrics.LOOKAHEAD_DISTANCE), 1e-15);
        // three more fast steps from φ, then φ' = φ + 0.5(θ' − φ)
        double[] fast = {slow[0] * Math.pow(0.95, 3), slow[1] * 0.125};
        double[] slow2 = {slow[0] + 0.5 * (fast[0] - slow[0]), slow[1] + 0.5 * (fast[1] - slow[1])};
        assertArrayEquals(new double[]{slow[0] * 0.95, slow[1] * 0.5}, w.get(3), 1e-15);
        assertArrayEquals(slow2, w.get(5), 1e-15, "synchronized at step 6");
        assertArrayEquals(slow2, o.slowWeights(s).toDoubleVector(), 1e-15);
        assertEquals(0.05, r.get(4).learningRate(), 0, "the base's learning rate");
    }

    @Test void theBaseStateIsAChildAndSurvivesSynchronization() {
        Lookahead o = new Lookahead(new Adam(0.05), 2, 0.5);
        OptimizerState s = OptimizerTesting.init(o, OptimizerTesting.quadratic());
        assertEquals("tensors [slow], scalars [t], children [base]", s.describe());
        assertTrue(s.child(Lookahead.BASE).hasTensor("m"));
        WrapperTesting.assertStateRoundTrip(new Lookahead(new Adam(0.05), 3, 0.5), OptimizerTesting::quadratic);
        WrapperTesting.assertStateRoundTrip(new Lookahead(new Prodigy(), 4, 0.8), OptimizerTesting::quadratic);
    }

    @Test void theCatalogEntryWrapsAnyOptimizerAndValidates() {
        assertEquals("lookahead(adam(lr=0.001))", Optimizers.create("lookahead", Map.of()).name());
        assertEquals("lookahead(dadapt-adam(), k=10, alpha=0.8)", Optimizers.create("lookahead", Map.of("base", "dadapt-adam", "k", "10", "alpha", "0.8")).name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("lookahead", Map.of("alpha", "0")));
        assertTrue(e.getMessage().contains("alpha") && e.getMessage().contains("(0, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("lookahead", Map.of("k", "0")));
        assertTrue(e.getMessage().contains("k") && e.getMessage().contains("1, 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Lookahead(new Adam(0.1), 5, 1.5));
        assertTrue(e.getMessage().contains("alpha = 1.5") && e.getMessage().contains("(0, 1]"), e.getMessage());
    }
}
