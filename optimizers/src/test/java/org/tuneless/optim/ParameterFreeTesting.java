package org.tuneless.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.nn.Init;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.nn.NetworkObjective;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.objective.Batch;
import org.tuneless.objective.Objective;
import org.tuneless.objective.Quadratic;
import org.tuneless.objective.Rosenbrock;
import org.tuneless.tensor.ParamRole;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.ParameterTensor;

/** The float64 test problems of the learning-rate-free optimizers (docs/methods.md) and a step-by-step runner. */
final class ParameterFreeTesting {

    private ParameterFreeTesting() {}

    /** f = ½ Σ hᵢxᵢ², h = (1, 10, 100), from (1, 1, 1). */
    static Quadratic quadratic() { return Quadratic.diagonal(new double[]{1, 10, 100}, 1, 1, 1); }

    /** Rosenbrock (a = 1, b = 100) from (−1.5, 2). */
    static Rosenbrock rosenbrock() { return new Rosenbrock(1, 100, -1.5, 2); }

    /** The quadratic's three coordinates as three one-element tensors x, y, z. */
    static ParameterLayout split3() {
        List<ParameterTensor> ts = new ArrayList<>();
        String[] names = {"x", "y", "z"};
        for (int i = 0; i < 3; i++) ts.add(new ParameterTensor(names[i], names[i], new long[]{1}, i, ParamRole.WEIGHT, 1, 1));
        return new ParameterLayout(ts);
    }

    /**
     * The MLP 8-16-3 with tanh, mean cross-entropy on X[i][j] = sin(0.37(i+1)(j+1)) (64×8), labels i mod 3; weights
     * W[a][b] = 0.1·cos(0.13(a+1)(b+2)) in the (out, in) layout y = x·Wᵀ + b, i.e. our (in, out) W[b][a]; zero biases.
     * Parameter order W1, b1, W2, b2.
     */
    static NetworkObjective mlp() { return mlp(DataType.DOUBLE); }

    /** The same MLP and batch in float32 (where the fused kernels of {@code tensor.Kernels} apply). */
    static NetworkObjective mlp32() { return mlp(DataType.FLOAT); }

    static NetworkObjective mlp(DataType type) { return mlp(type, Models.Activation.TANH); }

    /** The same MLP with another hidden activation (ReLU: ECCO-DNN's limiter applies). */
    static NetworkObjective mlp(DataType type, Models.Activation activation) {
        Network net = Models.mlpBuilder(activation, true, Init.ZEROS, 8, 16, 3).build(type, 0);
        fillWeight(net.layout().view(net.parameters(), "dense0.W"));
        fillWeight(net.layout().view(net.parameters(), "dense1.W"));
        net.layout().view(net.parameters(), "dense0.b").assign(0);
        net.layout().view(net.parameters(), "dense1.b").assign(0);
        double[][] x = new double[64][8], t = new double[64][3];
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 8; j++) x[i][j] = Math.sin(0.37 * (i + 1) * (j + 1));
            t[i][i % 3] = 1;
        }
        return new NetworkObjective(net, new SoftmaxCrossEntropy(), new Batch(Nd4j.createFromArray(x).castTo(type), Nd4j.createFromArray(t).castTo(type)));
    }

    /** Our W is (in, out): W[in][out] = 0.1·cos(0.13·(out+1)·(in+2)). */
    private static void fillWeight(INDArray w) {
        long in = w.size(0), out = w.size(1);
        for (int b = 0; b < in; b++) for (int a = 0; a < out; a++) w.putScalar(new long[]{b, a}, 0.1 * Math.cos(0.13 * (a + 1) * (b + 2)));
    }

    static ParameterLayout layoutOf(Objective f) {
        return f instanceof NetworkObjective n ? n.network().layout() : ParameterLayout.single("w", f.dimension());
    }

    /** An optimizer running on an objective, one step at a time. */
    static final class Run {
        final Optimizer optimizer;
        final Objective f;
        final ParameterLayout layout;
        OptimizerState state;
        final INDArray gradient;
        long t = 0;
        StepResult last;

        Run(Optimizer optimizer, Objective f) { this(optimizer, f, layoutOf(f)); }

        Run(Optimizer optimizer, Objective f, ParameterLayout layout) {
            this.optimizer = optimizer;
            this.f = f;
            this.layout = layout;
            DataType type = f.parameters().dataType();  // float64 but for the float32 MLP (mlp32)
            this.state = optimizer.init(layout, type);
            this.gradient = Nd4j.zeros(type, f.dimension());
        }

        /** One step; returns its result. */
        StepResult step() {
            double loss = f.lossAndGradient(gradient);
            last = optimizer.step(new StepContext(t, f, gradient, loss, layout), state);
            t++;
            return last;
        }

        /** Steps until {@code t} steps were taken, calling {@code each} after every step with (t, result). */
        Run until(long steps, BiConsumer<Long, StepResult> each) {
            while (t < steps) {
                StepResult r = step();
                if (each != null) each.accept(t, r);
            }
            return this;
        }

        Run until(long steps) { return until(steps, null); }

        double[] x() { return f.parameters().toDoubleVector(); }

        /** f at the current parameters (after the last step). */
        double loss() { return f.loss(); }

        double scalar(String name) { return state.scalar(name); }
    }
}
