package org.tuneless.optim;

import java.util.ArrayList;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.objective.Objective;
import org.tuneless.objective.Quadratic;

/** Runs optimizers on objectives for tests. */
public final class OptimizerTesting {

    private OptimizerTesting() {}

    /** f = ½(w₁² + 10w₂²) from (1, 1), float64: the test problem of docs/methods.md §0.2. */
    public static Quadratic quadratic() { return Quadratic.diagonal(new double[]{1, 10}, 1, 1); }

    public static StepContext context(Objective f, long step, INDArray gradient) {
        double loss = f.lossAndGradient(gradient);
        return new StepContext(step, f, gradient, loss, ParameterLayout.single("w", f.dimension()));
    }

    /** A fresh state of {@code o} for objective {@code f} (one tensor "w"). */
    public static OptimizerState init(Optimizer o, Objective f) {
        return o.init(ParameterLayout.single("w", f.dimension()), f.dataType());
    }

    /** Runs k steps from a fresh state; returns the parameters after each step and the step results. */
    public static List<double[]> run(Optimizer o, Objective f, int k, List<StepResult> results) {
        return run(o, init(o, f), f, 0, k, results);
    }

    /** Runs steps first … first + k − 1 advancing {@code state}; returns the parameters after each step. */
    public static List<double[]> run(Optimizer o, OptimizerState state, Objective f, long first, int k, List<StepResult> results) {
        INDArray g = Nd4j.zeros(f.dataType(), f.dimension());
        List<double[]> out = new ArrayList<>();
        for (long t = first; t < first + k; t++) {
            StepResult r = o.step(context(f, t, g), state);
            if (results != null) results.add(r);
            out.add(f.parameters().toDoubleVector());
        }
        return out;
    }
}
