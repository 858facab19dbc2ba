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

/** SAM (arXiv 2010.01412) and ASAM (arXiv 2102.11600) by hand on ½(w₁² + 10w₂²). */
class SamTest {

    @Test void firstStepByHandIsTheBaseStepWithThePerturbedGradient() {
        double rho = 0.05, lr = 0.1;
        List<StepResult> r = new ArrayList<>();
        List<double[]> w = OptimizerTesting.run(new Sam(new Sgd(lr, 0, 0, false, 0), rho, false, 0.01), OptimizerTesting.quadratic(), 1, r);
        // g = Hw = (1, 10); ε = ρ·g/‖g‖; g_SAM = H(w + ε)
        double n = Math.sqrt(101);
        double e1 = rho * 1 / (n + 1e-12), e2 = rho * 10 / (n + 1e-12);
        double g1 = 1 * (1 + e1), g2 = 10 * (1 + e2);
        assertArrayEquals(new double[]{1 - lr * g1, 1 - lr * g2}, w.get(0), 1e-15);
        assertEquals(n, r.get(0).diagnostics().get(Metrics.SAM_GRAD_NORM), 1e-14);
        assertEquals(rho * n / (n + 1e-12), r.get(0).diagnostics().get(Metrics.SAM_PERTURBATION_NORM), 1e-16);
        assertEquals(0.5 * ((1 + e1) * (1 + e1) + 10 * (1 + e2) * (1 + e2)), r.get(0).diagnostics().get(Metrics.SAM_PERTURBED_LOSS), 1e-14);
        assertEquals(lr, r.get(0).learningRate(), 0);
    }

    @Test void adaptiveVariantByHand() {
        double rho = 0.5, lr = 0.05, eta = 0.01;
        Quadratic f = Quadratic.diagonal(new double[]{1, 10}, 2, 0.5);
        List<double[]> w = OptimizerTesting.run(new Sam(new Sgd(lr, 0, 0, false, 0), rho, true, eta), f, 1, null);
        // g = (2, 5); T = |w| + η = (2.01, 0.51); ε = ρ·T²·g/‖T·g‖
        double t1 = 2.01, t2 = 0.51, g1 = 2, g2 = 5;
        double norm = Math.hypot(t1 * g1, t2 * g2);
        double e1 = rho * t1 * t1 * g1 / (norm + 1e-12), e2 = rho * t2 * t2 * g2 / (norm + 1e-12);
        double p1 = 1 * (2 + e1), p2 = 10 * (0.5 + e2);
        assertArrayEquals(new double[]{2 - lr * p1, 0.5 - lr * p2}, w.get(0), 1e-13);
        // η = 0: the perturbation scaled by |w| only
        Quadratic f0 = Quadratic.diagonal(new double[]{1, 10}, 2, 0.5);
        List<double[]> w0 = OptimizerTesting.run(new Sam(new Sgd(lr, 0, 0, false, 0), rho, true, 0), f0, 1, null);
        double n0 = Math.hypot(2 * 2, 0.5 * 5);
        double q1 = 2 + rho * 4 * 2 / n0, q2 = 10 * (0.5 + rho * 0.25 * 5 / n0);
        assertArrayEquals(new double[]{2 - lr * q1, 0.5 - lr * q2}, w0.get(0), 1e-13);
    }

    @Test void theLiveParametersAreOnlyMovedByTheBaseStep() {
        // zero learning rate: SAM evaluates at w + ε but leaves w exactly where it was
        Quadratic f = OptimizerTesting.quadratic();
        OptimizerTesting.run(new Sam(new Sgd(0, 0, 0, false, 0), 0.3, false, 0), f, 2, null);
        assertArrayEquals(new double[]{1, 1}, f.parameters().toDoubleVector(), 0);
    }

    @Test void stateRoundTripAndSchedules() {
        WrapperTesting.assertStateRoundTrip(new Sam(new Adam(0.05), 0.05, false, 0.01), OptimizerTesting::quadratic);
        WrapperTesting.assertStateRoundTrip(new Sam(new Sgd(0.02, 0.9, 0, false, 0), 0.1, true, 0.01), OptimizerTesting::quadratic);
        assertTrue(new Sam(new Adam(0.1)).followsSchedule());
    }

    @Test void theCatalogEntryTakesABaseOptimizerAndValidates() {
        assertEquals("sam(sgd(lr=0.01), rho=0.05)", Optimizers.create("sam", Map.of()).name().replace("sgd(lr=0.01, momentum=0)", "sgd(lr=0.01)"));
        assertTrue(Optimizers.create("sam", Map.of("base", "momentum", "lr", "0.1", "adaptive", "true", "rho", "0.5")).name().startsWith("asam("));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("sam", Map.of("rho", "0")));
        assertTrue(e.getMessage().contains("rho") && e.getMessage().contains("(0, ∞)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("sam", Map.of("base", "agd")));
        assertTrue(e.getMessage().contains("agd") && e.getMessage().contains("adam"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Sam(new Adam(0.1), -1, false, 0));
        assertTrue(e.getMessage().contains("rho = -1.0"), e.getMessage());
    }
}
