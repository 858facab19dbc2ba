package org.tuneless.benchmarks;

import java.util.List;
import java.util.Random;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Batch;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.nn.NetworkObjective;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.optim.Adam;
import org.tuneless.optim.StepContext;

/**
 * One training step (forward + backward + Adam) of MLP 784-1024-1024-10 at batch 1024 in float32, against the same
 * step in PyTorch (same threads), in alternating rounds; plus the cost of a gradient, an exact HVP and uᵀHu.
 * Prints medians and ratios. Run with {@code benchmarks/run step}.
 */
public final class StepBenchmark {

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int batch = 1024;
        long[] widths = {784, 1024, 1024, 10};
        Network net = Models.mlpBuilder(Models.Activation.RELU, true, org.tuneless.nn.Init.HE, widths).build(DataType.FLOAT, 0);
        Random rng = new Random(0);
        float[] x = new float[batch * 784];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        float[] t = new float[batch * 10];
        for (int i = 0; i < batch; i++) t[i * 10 + rng.nextInt(10)] = 1f;
        Batch b = new Batch(Nd4j.createFromArray(x).reshape(batch, 784), Nd4j.createFromArray(t).reshape(batch, 10));
        NetworkObjective f = new NetworkObjective(net, new SoftmaxCrossEntropy(), b);
        long n = net.parameterCount();
        INDArray g = Nd4j.zeros(DataType.FLOAT, n), hv = Nd4j.zeros(DataType.FLOAT, n);
        INDArray v = Nd4j.randn(DataType.FLOAT, n).muli(1e-2);
        Adam adam = new Adam(1e-4);
        org.tuneless.optim.OptimizerState adamState = adam.init(net.layout(), DataType.FLOAT);
        long[] step = {0};
        Runnable trainStep = () -> {
            double loss = f.lossAndGradient(g);
            adam.step(new StepContext(step[0]++, f, g, loss, net.layout()), adamState);
        };
        Runnable gradient = () -> f.lossAndGradient(g);
        Runnable hvp = () -> f.hvp(v, hv);
        Runnable uhu = () -> f.curvatureAlong(v);

        System.out.printf("MLP %s, batch %d, float32, OMP_NUM_THREADS=%s, %d rounds × %d repeats, alternating with PyTorch%n",
                java.util.Arrays.toString(widths), batch, System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)"), rounds, perRound);
        for (Runnable r : List.of(trainStep, gradient, hvp, uhu)) for (int i = 0; i < 5; i++) r.run();  // warm-up

        Timing ours = new Timing(), torch = new Timing(), grad = new Timing(), hvpT = new Timing(), uhuT = new Timing();
        int threads = Integer.parseInt(System.getenv().getOrDefault("OMP_NUM_THREADS", "1"));
        for (int r = 0; r < rounds; r++) {
            Timing.measure(ours, perRound, trainStep);
            torch.addAll(TorchReference.times(TorchReference.run(List.of("step", "--widths", "784,1024,1024,10", "--batch", "" + batch,
                    "--repeats", "" + perRound, "--warmup", "3", "--threads", "" + threads))));
            Timing.measure(grad, perRound, gradient);
            Timing.measure(hvpT, perRound, hvp);
            Timing.measure(uhuT, perRound, uhu);
        }
        System.out.printf("training step (fwd+bwd+Adam): tuneless %.2f ms, PyTorch %.2f ms → ratio %.2f× (target ≤ 0.80×)%n",
                ours.median(), torch.median(), ours.median() / torch.median());
        System.out.printf("gradient %.2f ms; exact HVP %.2f ms → %.2f× a gradient (target ≤ 2.0×); uᵀHu %.2f ms → %.2f× a gradient (target ≤ 1.5×)%n",
                grad.median(), hvpT.median(), hvpT.median() / grad.median(), uhuT.median(), uhuT.median() / grad.median());
    }
}
