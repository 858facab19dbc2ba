package org.tuneless.benchmarks;

import java.util.concurrent.TimeUnit;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.tuneless.nn.BatchNorm;
import org.tuneless.nn.Gelu;
import org.tuneless.nn.Layer;
import org.tuneless.nn.Loss;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.objective.Objective;
import org.tuneless.optim.Adam;
import org.tuneless.optim.OptimizerState;
import org.tuneless.optim.StepContext;
import org.tuneless.tensor.Kernels;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.Workspaces;

/**
 * JMH microbenchmarks of the fused float32 kernels against the ND4J ops they replace, each through the public code that
 * uses it (Adam's step, the GELU and batch-norm layers, the softmax cross-entropy loss), once with the kernels and once
 * under {@link Kernels#referenceOnly}: the ratio is what a user's step gains. Shapes are the ones users run: the demo
 * MLP's 270k parameters and ResNet-18's 11.2M, nanoLM's GELU (64 × 64 × 512), a ResNet-18 stage-1 batch norm at
 * batch 32, classification logits (128 × 10) and nanoLM's logits (4,096 × 96). Run with {@code benchmarks/run jmh
 * [regex]}; results in benchmarks/README.md ("Kernel microbenchmarks (JMH)").
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--add-modules", "jdk.incubator.vector", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"})
public class KernelMicrobenchmarks {

    /** Adam's whole step on a parameter vector: one fused pass, or ≈ 12 ND4J ops and an axpy. */
    @State(Scope.Thread)
    public static class AdamState {
        @Param({"270000", "11172810"}) public int parameters;
        Adam adam;
        OptimizerState state;
        StepContext ctx;

        @Setup(Level.Trial) public void setUp() {
            Nd4j.getRandom().setSeed(1);
            INDArray w = Nd4j.randn(DataType.FLOAT, parameters), g = Nd4j.randn(DataType.FLOAT, parameters).muli(1e-3);
            adam = new Adam(1e-3);
            ParameterLayout layout = ParameterLayout.single("w", parameters);
            state = adam.init(layout, DataType.FLOAT);
            ctx = new StepContext(1, parametersOnly(w), g, 0.0, layout);
        }
    }

    @Benchmark public Object adamStepFused(AdamState s) { return s.adam.step(s.ctx, s.state); }

    @Benchmark public Object adamStepNd4jOps(AdamState s) { return Kernels.referenceOnly(() -> s.adam.step(s.ctx, s.state)); }

    /** Exact GELU x·Φ(x), forward, on nanoLM's activation (64 × 64 × 512), inside a pass workspace as the engine runs it. */
    @State(Scope.Thread)
    public static class GeluState {
        Layer gelu;
        INDArray x;

        @Setup(Level.Trial) public void setUp() {
            Nd4j.getRandom().setSeed(2);
            x = Nd4j.randn(DataType.FLOAT, 64, 64, 512);
            gelu = new Gelu();
            gelu.bind(new long[]{64, 512});
        }
    }

    @Benchmark public double geluForwardFused(GeluState s) { return inPass(() -> s.gelu.forward(s.x, new INDArray[0])); }

    @Benchmark public double geluForwardNd4jOps(GeluState s) {
        return Kernels.referenceOnly(() -> inPass(() -> s.gelu.forward(s.x, new INDArray[0])));
    }

    /** Batch norm with batch statistics, forward + backward, on a ResNet-18 stage-1 activation at batch 32 (32 × 64 × 28 × 28). */
    @State(Scope.Thread)
    public static class BatchNormState {
        Layer bn;
        INDArray x, gy;
        INDArray[] theta, grads;

        @Setup(Level.Trial) public void setUp() {
            Nd4j.getRandom().setSeed(3);
            x = Nd4j.randn(DataType.FLOAT, 32, 64, 28, 28);
            gy = Nd4j.randn(DataType.FLOAT, 32, 64, 28, 28);
            bn = new BatchNorm();
            bn.bind(new long[]{64, 28, 28});
            bn.setMode(Layer.Mode.TRAIN);
            theta = new INDArray[]{Nd4j.ones(DataType.FLOAT, 64), Nd4j.zeros(DataType.FLOAT, 64)};
            grads = new INDArray[]{Nd4j.zeros(DataType.FLOAT, 64), Nd4j.zeros(DataType.FLOAT, 64)};
        }

        double pass() {
            return inPass(() -> {
                bn.forward(x, theta);
                return bn.backward(gy, theta, grads, true);
            });
        }
    }

    @Benchmark public double batchNormForwardBackwardFused(BatchNormState s) { return s.pass(); }

    @Benchmark public double batchNormForwardBackwardNd4jOps(BatchNormState s) { return Kernels.referenceOnly(s::pass); }

    /** Softmax cross-entropy: value and gradient on logits of a classifier batch (128 × 10) and of nanoLM (4,096 × 96). */
    @State(Scope.Thread)
    public static class LossState {
        @Param({"128x10", "4096x96"}) public String logits;
        Loss loss = new SoftmaxCrossEntropy();
        INDArray y, t;

        @Setup(Level.Trial) public void setUp() {
            String[] rc = logits.split("x");
            int rows = Integer.parseInt(rc[0]), classes = Integer.parseInt(rc[1]);
            Nd4j.getRandom().setSeed(4);
            y = Nd4j.randn(DataType.FLOAT, rows, classes).muli(3);
            t = Nd4j.zeros(DataType.FLOAT, rows, classes);
            for (int i = 0; i < rows; i++) t.putScalar(i, (i * 7) % classes, 1f);
        }

        double valueAndGradient() {
            try (var ws = Workspaces.pass("jmh-loss")) {
                Loss.Evaluation e = Loss.evaluateRows(loss, y, t);
                return e.value() + e.gradient().getDouble(0);
            }
        }
    }

    @Benchmark public double softmaxCrossEntropyFused(LossState s) { return s.valueAndGradient(); }

    @Benchmark public double softmaxCrossEntropyNd4jOps(LossState s) { return Kernels.referenceOnly(s::valueAndGradient); }

    /** {@code body} inside a pass workspace (as the engine runs a layer); returns one element so that the work is used. */
    static double inPass(java.util.function.Supplier<INDArray> body) {
        try (var ws = Workspaces.pass("jmh")) {
            return body.get().getDouble(0);
        }
    }

    /** An objective that only holds parameters (Adam's step reads nothing else). */
    static Objective parametersOnly(INDArray w) {
        return new Objective() {
            @Override public INDArray parameters() { return w; }

            @Override public double loss() { throw new UnsupportedOperationException(); }

            @Override public double lossAndGradient(INDArray gradientOut) { throw new UnsupportedOperationException(); }

            @Override public void hvp(INDArray v, INDArray out) { throw new UnsupportedOperationException(); }

            @Override public double curvatureAlong(INDArray u) { throw new UnsupportedOperationException(); }
        };
    }
}
