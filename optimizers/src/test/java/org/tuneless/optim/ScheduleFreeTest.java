package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.tuneless.optim.ParameterFreeTesting.mlp;
import static org.tuneless.optim.ParameterFreeTesting.quadratic;
import static org.tuneless.optim.ParameterFreeTesting.rosenbrock;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.metrics.Metrics;
import org.tuneless.objective.Objective;
import org.tuneless.objective.Quadratic;
import org.tuneless.optim.ParameterFreeTesting.Run;

/**
 * Schedule-Free SGD and AdamW (arXiv 2405.15682) against the official implementation (schedulefree 1.4.1, float64;
 * docs/methods.md §9.7): 1e-9 relative, exact where the value is exactly 0; the diverging runs only qualitatively.
 * x is read through the {@link EvaluationPoint} capability, y is the live parameters, z the state.
 * "loss_x at step t" is f(x_t), after t steps.
 */
class ScheduleFreeTest extends ReferenceChecks {

    static INDArray x(Run r) {
        return r.optimizer.capability(EvaluationPoint.class, r.state).orElseThrow().evaluationPoint(r.state, r.f.parameters());
    }

    static double lossX(Run r) { return r.f.lossAt(x(r)); }

    @Test void sgdOnTheQuadraticMatchesTheOfficialCodeAndDiverges() {
        Run q = new Run(new ScheduleFreeSgd(), quadratic());
        q.step();
        double[] first = {0.0, -9.0, -99.0};
        near(first, q.x(), REL, "sf-sgd step1 y");
        near(first, x(q).toDoubleVector(), REL, "sf-sgd step1 x");
        near(first, q.state.tensor("z").toDoubleVector(), REL, "sf-sgd step1 z");
        near(1.0, q.last.diagnostics().get(Metrics.SF_C), 0, "sf-sgd step1 c");
        near(1.0, q.last.learningRate(), 0, "sf-sgd step1 lr");
        q.step();
        near(new double[]{0.0, 36.00000000000001, 4851.0}, x(q).toDoubleVector(), REL, "sf-sgd step2 x");
        near(new double[]{0.0, 81.0, 9801.0}, q.state.tensor("z").toDoubleVector(), REL, "sf-sgd step2 z");
        near(new double[]{0.0, 40.50000000000001, 5346.0}, q.x(), REL, "sf-sgd step2 y");
        near(0.5, q.last.diagnostics().get(Metrics.SF_C), 0, "sf-sgd step2 c");
        near(2.0, q.last.diagnostics().get(Metrics.SF_WEIGHT_SUM), 0, "sf-sgd step2 weight_sum");
        near(1.0, q.last.diagnostics().get(Metrics.SF_LR_MAX), 0, "sf-sgd step2 lr_max");
        q.until(100);
        near(3.0811651538952905e+216, lossX(q), REL, "sf-sgd step100 loss_x (divergence)");
        near(0.0, x(q).getDouble(0), 0, "sf-sgd step100 x[0] (h = 1: exactly 0 from step 1)");
        near(0.0, q.x()[0], 0, "sf-sgd step100 y[0]");
    }

    @Test void sgdOnRosenbrockEndsInNaN() {
        Run r = new Run(new ScheduleFreeSgd(), rosenbrock()).until(100);
        assertTrue(Double.isNaN(r.x()[0]) && Double.isNaN(r.x()[1]), "y is NaN by step 100");
        assertTrue(Double.isNaN(x(r).getDouble(0)), "x is NaN by step 100");
    }

    @Test void sgdOnTheMlp() {
        Run m = new Run(new ScheduleFreeSgd(), mlp()).until(100);
        near(1.0719205542403902, lossX(m), REL, "sf-sgd mlp step100 loss_x");
        near(1.0717774620702252, m.loss(), REL, "sf-sgd mlp step100 loss_y");
    }

    @Test void adamWOnTheQuadratic() {
        Run q = new Run(new ScheduleFreeAdamW(), quadratic());
        q.step();
        near(new double[]{0.9975000000249999, 0.9975000000025, 0.99750000000025}, q.x(), REL, "sf-adamw step1 y");
        near(0.0025, q.last.learningRate(), 0, "sf-adamw step1 lr");
        q.step();
        near(new double[]{0.9962515646891972, 0.9962515646554615, 0.9962515646520879}, x(q).toDoubleVector(), REL, "sf-adamw step2 x");
        near(new double[]{0.996126721155617, 0.9961267211207576, 0.9961267211172716}, q.x(), REL, "sf-adamw step2 y");
        q.until(100);
        near(42.6546447197858, lossX(q), REL, "sf-adamw step100 loss_x");
        near(41.51444010236688, q.loss(), REL, "sf-adamw step100 loss_y");
    }

    @Test void adamWOnRosenbrockAndTheMlp() {
        near(5.702797923922584, lossX(new Run(new ScheduleFreeAdamW(), rosenbrock()).until(1000)), REL, "sf-adamw rosen step1000 loss_x");
        near(1.0714177425654219, lossX(new Run(new ScheduleFreeAdamW(), mlp()).until(100)), REL, "sf-adamw mlp step100 loss_x");
    }

    @Test void aZeroFirstGradientMovesNothingButAdvancesKAndTheWeightSum() {
        for (Optimizer o : List.of(new ScheduleFreeSgd(), new ScheduleFreeAdamW())) {
            Run r = new Run(o, Quadratic.diagonal(new double[]{1, 10, 100}, 0, 0, 0));
            r.step();
            assertArrayEquals(new double[]{0, 0, 0}, r.x(), 0.0, o.name() + ": no move");
            assertEquals(1.0, r.scalar("k"), o.name() + ": k advanced");
            double lr = r.last.learningRate();
            assertEquals(lr * lr, r.scalar("weight_sum"), 0.0, o.name() + ": weight_sum advanced (by lr_max²)");
            r.step();
            assertEquals(0.5, r.last.diagnostics().get(Metrics.SF_C), 0.0, o.name() + ": the next c is 1/2");
        }
    }

    /** Runs fast and reference forms side by side and compares x, y and z after every step. */
    void sameAsReference(Optimizer fast, Optimizer reference, Supplier<Objective> problem, int steps, double rel, String what) {
        Run a = new Run(fast, problem.get()), b = new Run(reference, problem.get());
        for (int t = 1; t <= steps; t++) {
            a.step();
            b.step();
            double[] ya = a.x(), yb = b.x(), xa = x(a).toDoubleVector(), xb = x(b).toDoubleVector();
            double[] za = a.state.tensor("z").toDoubleVector(), zb = b.state.tensor("z").toDoubleVector();
            double sy = maxAbs(ya), sx = maxAbs(xa), sz = maxAbs(za);
            for (int i = 0; i < ya.length; i++) {
                closeRel(ya[i], yb[i], rel, sy, what + " step" + t + " y[" + i + "]");
                closeRel(xa[i], xb[i], rel, sx, what + " step" + t + " x[" + i + "]");
                closeRel(za[i], zb[i], rel, sz, what + " step" + t + " z[" + i + "]");
            }
            assertEquals(a.last.learningRate(), b.last.learningRate(), 0.0, what + " lr");
            assertEquals(a.last.diagnostics(), b.last.diagnostics(), what + " diagnostics");
        }
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double d : v) m = Math.max(m, Math.abs(d));
        return m;
    }

    /** |a − b| ≤ rel·scale (scale: the largest magnitude in the vector, so elements that cancel to near 0 are not over-weighted). */
    static void closeRel(double a, double b, double rel, double scale, String what) {
        if (!(Math.abs(a - b) <= rel * Math.max(scale, 1e-300))) fail(what + ": fast " + a + " vs reference " + b);
    }

    @Test void theFastFormsEqualTheirReferenceForms() {
        sameAsReference(new ScheduleFreeSgd(0.01, 0.9, 0, 0, 0, 2), new ScheduleFreeSgdReference(0.01, 0.9, 0, 0, 0, 2),
                ParameterFreeTesting::quadratic, 100, 1e-12, "sf-sgd(0.01) quad");
        sameAsReference(new ScheduleFreeSgd(), new ScheduleFreeSgdReference(), ParameterFreeTesting::mlp, 50, 1e-12, "sf-sgd mlp");
        sameAsReference(new ScheduleFreeSgd(0.003, 0.8, 0.1, 5, 1, 1.5), new ScheduleFreeSgdReference(0.003, 0.8, 0.1, 5, 1, 1.5),
                ParameterFreeTesting::rosenbrock, 200, 1e-12, "sf-sgd(wd, warmup, r) rosen");
        sameAsReference(new ScheduleFreeAdamW(), new ScheduleFreeAdamWReference(), ParameterFreeTesting::quadratic, 100, 1e-13, "sf-adamw quad");
        sameAsReference(new ScheduleFreeAdamW(), new ScheduleFreeAdamWReference(), ParameterFreeTesting::mlp, 100, 1e-13, "sf-adamw mlp");
        sameAsReference(new ScheduleFreeAdamW(0.01, 0.5, 0.99, 1e-6, 0.05, 10, 0.5, 2), new ScheduleFreeAdamWReference(0.01, 0.5, 0.99, 1e-6, 0.05, 10, 0.5, 2),
                ParameterFreeTesting::rosenbrock, 300, 1e-12, "sf-adamw(β 0.5, wd, warmup, r) rosen");
    }

    @Test void theFusedFloat32FastFormTracksTheReferenceForm() {
        // float32: the fast form runs as one fused pass (tensor.Kernels); the reference form op by op. Both round in float32
        // and Adam's normalization g/√v amplifies the rounding of near-zero gradients, so they agree to ~1e-5 of the
        // largest element (measured ≤ 3e-6 by step 5); a wrong sign, weight or learning rate is off by ~lr/|z| ≈ 1e-2.
        assertTrue(org.tuneless.tensor.Kernels.fused(), org.tuneless.tensor.Kernels.describe());
        sameAsReference(new ScheduleFreeAdamW(), new ScheduleFreeAdamWReference(), ParameterFreeTesting::mlp32, 60, 1e-4, "sf-adamw float32 mlp");
        sameAsReference(new ScheduleFreeAdamW(0.01, 0.5, 0.99, 1e-6, 0.05, 10, 0.5, 2), new ScheduleFreeAdamWReference(0.01, 0.5, 0.99, 1e-6, 0.05, 10, 0.5, 2),
                ParameterFreeTesting::mlp32, 60, 1e-4, "sf-adamw(wd, warmup, r) float32 mlp");
    }

    @Test void xIsRecoveredFromYAndZ() {
        Run q = new Run(new ScheduleFreeAdamW(), quadratic()).until(7);
        double[] y = q.x(), z = q.state.tensor("z").toDoubleVector(), x = x(q).toDoubleVector();
        for (int i = 0; i < 3; i++) closeRel((y[i] - 0.1 * z[i]) / 0.9, x[i], 1e-15, Math.abs(x[i]), "x = (y − (1−β)z)/β [" + i + "]");
    }

    @Test void evaluatingAtXRestoresYExactly() {
        Run m = new Run(new ScheduleFreeAdamW(), mlp()).until(5);
        double[] y = m.x();
        double atX = lossX(m);
        assertArrayEquals(y, m.x(), 0.0, "withParameters(x) restores y bit for bit");
        assertTrue(atX != m.loss(), "x and y differ");
        // and the trajectory continues as if nothing had been evaluated
        Run plain = new Run(new ScheduleFreeAdamW(), mlp()).until(5);
        m.until(20);
        plain.until(20);
        assertArrayEquals(plain.x(), m.x(), 0.0, "same trajectory after an evaluation at x");
    }

    @Test void warmupRampsTheLearningRateAndTheAveragingWeights() {
        Run q = new Run(new ScheduleFreeSgd(0.01, 0.9, 0, 4, 0, 2), quadratic());
        double[] lrs = new double[6];
        for (int t = 0; t < 6; t++) lrs[t] = q.step().learningRate();
        assertArrayEquals(new double[]{0.0025, 0.005, 0.0075, 0.01, 0.01, 0.01}, lrs, 1e-18);
        assertEquals(0.01, q.last.diagnostics().get(Metrics.SF_LR_MAX), 0.0);
        double sum = 0.0025 * 0.0025 + 0.005 * 0.005 + 0.0075 * 0.0075 + 3 * 1e-4;
        assertEquals(sum, q.last.diagnostics().get(Metrics.SF_WEIGHT_SUM), 1e-18);
        assertEquals(1e-4 / sum, q.last.diagnostics().get(Metrics.SF_C), 1e-15);
    }

    @Test void noEvaluationPointBeforeTheFirstStep() {
        for (Optimizer o : List.of(new ScheduleFreeSgd(), new ScheduleFreeAdamW(), new ScheduleFreeSgdReference(), new ScheduleFreeAdamWReference())) {
            Run r = new Run(o, quadratic());
            assertTrue(o.capability(EvaluationPoint.class, r.state).isEmpty(), o.name());
            r.step();
            assertEquals("x (schedule-free average)", o.capability(EvaluationPoint.class, r.state).orElseThrow().description());
        }
    }

    @Test void theCatalogBuildsThemAtTheOfficialDefaultsAndRejectsBadValues() {
        assertEquals("sf-sgd(lr=1)", Optimizers.create("sf-sgd", Map.of()).name());
        assertEquals("sf-adamw(lr=0.0025)", Optimizers.create("sf-adamw", Map.of()).name());
        assertEquals("sf-adamw(lr=0.01, warmup=100)", Optimizers.create("sf-adamw", Map.of("lr", "0.01", "warmup-steps", "100")).name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("sf-sgd", Map.of("momentum", "1")));
        assertTrue(e.getMessage().contains("momentum"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ScheduleFreeSgd(1, 0, 0, 0, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> new ScheduleFreeAdamW(-1, 0.9, 0.999, 1e-8, 0, 0, 0, 2));
        assertFalse(Optimizers.names().isEmpty());
    }
}
