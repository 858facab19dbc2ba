package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.optim.ParameterFreeTesting.Run;
import org.tuneless.tensor.Kernels;

/**
 * The optimizers that use a fused kernel in float32 ({@code tensor.Kernels}) against the same optimizer in float64,
 * which always runs the ND4J-op path: same trajectory to float32 rounding. The kernels' arithmetic is tested in
 * {@code KernelsTest}; this checks the wiring (which tensors, which scalars, which step's bias correction).
 */
class FusedKernelsWiringTest {

    /** float32 vs float64 over {@code steps} steps: |Δ| ≤ tol·max|x| after every step; a 1% wrong factor is ~1e-3. */
    private static void tracks(Supplier<Optimizer> make, int steps, String what) {
        assertTrue(Kernels.fused(), Kernels.describe());
        Run f32 = new Run(make.get(), ParameterFreeTesting.mlp32()), f64 = new Run(make.get(), ParameterFreeTesting.mlp());
        for (int t = 1; t <= steps; t++) {
            f32.step();
            f64.step();
            double[] a = f32.x(), b = f64.x();
            double scale = ScheduleFreeTest.maxAbs(b);
            for (int i = 0; i < a.length; i++) {
                ScheduleFreeTest.closeRel(a[i], b[i], 1e-4, scale, what + " step" + t + " w[" + i + "]");
            }
            assertEquals(f64.last.learningRate(), f32.last.learningRate(), 0.0, what + " lr");
        }
    }

    @Test void adamAndAdamWInFloat32FollowTheirFloat64Trajectories() {
        tracks(() -> new Adam(1e-2), 40, "adam");
        tracks(() -> new Adam(1e-2, 0.8, 0.99, 1e-6, 0.05), 40, "adam(L2)");
        tracks(() -> new AdamW(1e-2, 0.9, 0.999, 1e-8, 0.1), 40, "adamw");
    }

    @Test void prodigyAndScheduleFreeInFloat32FollowTheirFloat64Trajectories() {
        tracks(() -> new ScheduleFreeAdamW(), 40, "sf-adamw");
        // Prodigy's d comes from Σ g·(p0 − x), and p0 − x cancels in float32 early on (x moved by ~d·lr): its float32
        // trajectory is off its float64 one by more than rounding whichever path computes it. So: fused against the ND4J
        // ops in float32 (Kernels.referenceOnly), where only the order of rounding differs.
        assertTrue(Kernels.fused(), Kernels.describe());
        Run fused = new Run(new Prodigy(), ParameterFreeTesting.mlp32()), ops = new Run(new Prodigy(), ParameterFreeTesting.mlp32());
        for (int t = 1; t <= 40; t++) {
            fused.step();
            Kernels.referenceOnly(ops::step);
            double[] a = fused.x(), b = ops.x();
            double scale = ScheduleFreeTest.maxAbs(b);
            for (int i = 0; i < a.length; i++) {
                ScheduleFreeTest.closeRel(a[i], b[i], 1e-4, scale, "prodigy float32 step" + t + " w[" + i + "]");
            }
            double lrB = ops.last.learningRate();
            assertEquals(lrB, fused.last.learningRate(), 2e-5 * lrB, "prodigy d·lr at step " + t);
        }
    }

    /**
     * ECCO-DNN's fused preconditioner and limiter ratio against its ND4J ops, float32, on a ReLU MLP (so the limiter
     * runs): the same trajectory and per-tensor Δt to float32 rounding (the runs' gradients differ in rounding too: the
     * loss and dense kernels are off in the reference run).
     */
    @Test void eccoFusedFollowsItsNd4jOpsInFloat32() {
        assertTrue(Kernels.fused(), Kernels.describe());
        var relu = org.tuneless.nn.Models.Activation.RELU;
        Run fused = new Run(new EccoDnn(1.0), ParameterFreeTesting.mlp(org.nd4j.linalg.api.buffer.DataType.FLOAT, relu)),
                ops = new Run(new EccoDnn(1.0), ParameterFreeTesting.mlp(org.nd4j.linalg.api.buffer.DataType.FLOAT, relu));
        boolean limited = false;
        for (int t = 1; t <= 30; t++) {
            fused.step();
            Kernels.referenceOnly(ops::step);
            double[] a = fused.x(), b = ops.x();
            double scale = ScheduleFreeTest.maxAbs(b);
            for (int i = 0; i < a.length; i++) ScheduleFreeTest.closeRel(a[i], b[i], 1e-4, scale, "ecco float32 step" + t + " w[" + i + "]");
            double lr = ops.last.learningRate();
            assertEquals(lr, fused.last.learningRate(), 1e-4 * lr, "ecco max Δt at step " + t);
            double delta = ops.last.diagnostics().get(org.tuneless.metrics.Metrics.ECCO_LIMITER);
            // δ = 1/|min Δa/a| divides by pre-activations near 0, whose rounding differs between the runs (the dense
            // layers' bias is added in another order): 1% here, where a wrong sign or factor would be far off
            assertEquals(delta, fused.last.diagnostics().get(org.tuneless.metrics.Metrics.ECCO_LIMITER), 1e-2 * delta, "limiter δ at step " + t);
            limited |= delta < 1;
        }
        assertTrue(limited, "the limiter never shrank a step: the test does not exercise minFiniteRatio");
    }

    @Test void adamsPreconditionerIsTheFusedPassesP() {
        Run r = new Run(new Adam(1e-2), ParameterFreeTesting.mlp32());
        for (int t = 0; t < 3; t++) r.step();
        INDArray v = r.state.tensor("v").castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE), p = r.state.tensor("precond");
        double bc2 = 1 - Math.pow(0.999, 3);
        double[] vs = v.toDoubleVector(), ps = p.toDoubleVector();
        for (int i = 0; i < vs.length; i++) {
            double expected = Math.sqrt(vs[i] / bc2) + 1e-8;
            assertEquals(expected, ps[i], 2 * Math.ulp((float) expected), "P[" + i + "]");
        }
    }
}
