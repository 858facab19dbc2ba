package org.tuneless.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.tuneless.objective.Batch;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.nn.NetworkObjective;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.optim.Adam;
import org.tuneless.optim.StepContext;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The model zoo against PyTorch: one training step (forward + backward + Adam, lr 1e-4) of ResNet-18 (CIFAR style,
 * batch norm, 28×28×1 inputs, batch 128, 10 classes) and of nanoLM (2 layers, width 128, 4 heads, context 64,
 * vocabulary 96, batch 64 sequences), float32, same threads, in alternating rounds (our repeats, then a fresh PyTorch
 * process's repeats); plus forward-only and gradient times on our side, and the exact HVP as a multiple of a gradient
 * (ResNet-18 on the first 32 examples, for memory). Prints medians and ratios.
 * Run with {@code benchmarks/run zoo [rounds] [repeats] [resnet18|nanolm|all]}.
 */
public final class ModelStepBenchmark {

    /**
     * A model, its benchmark batch, the parameter count of the PyTorch mirror, and the batch size for the HVP timing
     * (smaller for ResNet-18: an exact HVP at batch 128 needs ~13 GB of workspace, more than the build machine spares).
     */
    record Case(String name, Network net, Batch batch, long expectedParams, int hvpBatch) {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String which = args.length > 2 ? args[2] : "all";
        int threads = Integer.parseInt(System.getenv().getOrDefault("OMP_NUM_THREADS", "1"));
        System.out.printf("model zoo, float32, OMP_NUM_THREADS=%s, OPENBLAS_CORETYPE=%s, %d rounds × %d repeats, alternating with PyTorch%n",
                System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)"), System.getenv().getOrDefault("OPENBLAS_CORETYPE", "(auto)"), rounds, perRound);
        List<String> report = new ArrayList<>();
        if (which.equals("all") || which.equals("resnet18")) report.add(run(resnet18(), rounds, perRound, threads));
        if (which.equals("all") || which.equals("nanolm")) report.add(run(nanoLM(), rounds, perRound, threads));
        System.out.println();
        report.forEach(System.out::println);
    }

    static Case resnet18() {
        int batch = 128;
        Network net = Models.resnet18(new long[]{1, 28, 28}, 10, Models.Norm.BATCH).build(DataType.FLOAT, 0);
        return new Case("resnet18", net, resnet18Batch(batch), 11_172_810L, 32);
    }

    /** The ResNet-18 benchmarks' batch: Gaussian 1×28×28 images and random one-hot labels of 10 classes (seed 0). */
    static Batch resnet18Batch(int batch) {
        Random rng = new Random(0);
        float[] x = new float[batch * 28 * 28];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        float[] t = new float[batch * 10];
        for (int i = 0; i < batch; i++) t[i * 10 + rng.nextInt(10)] = 1f;
        return new Batch(Nd4j.createFromArray(x).reshape(batch, 1, 28, 28), Nd4j.createFromArray(t).reshape(batch, 10));
    }

    static Case nanoLM() {
        int batch = 64, context = 64, vocab = 96;
        Network net = Models.nanoLM(2, 128, 4, context, vocab).build(DataType.FLOAT, 0);
        Random rng = new Random(0);
        float[] ids = new float[batch * context];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(vocab);
        float[] t = new float[batch * context * vocab];
        for (int i = 0; i < batch * context; i++) t[i * vocab + rng.nextInt(vocab)] = 1f;
        Batch b = new Batch(Nd4j.createFromArray(ids).reshape(batch, context), Nd4j.createFromArray(t).reshape(batch, context, vocab));
        return new Case("nanolm", net, b, 429_664L, batch);
    }

    private static String run(Case c, int rounds, int perRound, int threads) {
        Network net = c.net();
        long n = net.parameterCount();
        System.out.printf("%n%s: %,d parameters (PyTorch mirror: %,d expected), batch %d%n", c.name(), n, c.expectedParams(), c.batch().inputs().size(0));
        if (n != c.expectedParams()) System.out.printf("WARNING: %s parameter count %,d differs from the PyTorch mirror's %,d%n", c.name(), n, c.expectedParams());
        NetworkObjective f = new NetworkObjective(net, new SoftmaxCrossEntropy(), c.batch());
        INDArray g = Nd4j.zeros(DataType.FLOAT, n), hv = Nd4j.zeros(DataType.FLOAT, n);
        INDArray v = Nd4j.randn(DataType.FLOAT, n).muli(1e-2);
        Adam adam = new Adam(1e-4);
        org.tuneless.optim.OptimizerState adamState = adam.init(net.layout(), DataType.FLOAT);
        long[] step = {0};
        Runnable trainStep = () -> {
            double loss = f.lossAndGradient(g);
            adam.step(new StepContext(step[0]++, f, g, loss, net.layout()), adamState);
        };
        Runnable forward = f::loss;
        Runnable gradient = () -> f.lossAndGradient(g);
        Runnable adamOnly = () -> adam.step(new StepContext(step[0]++, f, g, 0.0, net.layout()), adamState);
        for (Runnable r : List.of(trainStep, forward, gradient, adamOnly)) for (int i = 0; i < 2; i++) r.run();  // warm-up

        // 1. training step vs PyTorch, alternating; forward and gradient on our side
        long batch = c.batch().inputs().size(0);
        Timing ours = new Timing(), torch = new Timing(), torchFwd = new Timing(), torchOpt = new Timing(), fwd = new Timing(), grad = new Timing(),
                adamT = new Timing();
        long torchParams = -1;
        for (int r = 0; r < rounds; r++) {
            Timing.measure(ours, perRound, trainStep);
            JsonNode ref = TorchReference.run(List.of("zoo", "--model", c.name(), "--batch", "" + batch,
                    "--repeats", "" + perRound, "--warmup", "2", "--threads", "" + threads));
            torch.addAll(TorchReference.times(ref));
            ref.get("forward_ms").forEach(t -> torchFwd.add(t.asDouble()));
            ref.get("optimizer_ms").forEach(t -> torchOpt.add(t.asDouble()));
            torchParams = ref.get("params").asLong();
            Timing.measure(fwd, perRound, forward);
            Timing.measure(grad, perRound, gradient);
            Timing.measure(adamT, perRound, adamOnly);
            System.out.printf("  round %d: step tuneless %.0f ms, PyTorch %.0f ms (running medians)%n", r + 1, ours.median(), torch.median());
        }

        // 2. exact HVP against a gradient on the same (possibly smaller) batch; workspaces of part 1 freed first
        Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        System.gc();
        int hb = c.hvpBatch();
        Batch sub = hb == batch ? c.batch() : new Batch(c.batch().inputs().get(NDArrayIndex.interval(0, hb)).dup(),
                c.batch().targets().get(NDArrayIndex.interval(0, hb)).dup());
        NetworkObjective h = new NetworkObjective(net, new SoftmaxCrossEntropy(), sub);
        Runnable gradientH = () -> h.lossAndGradient(g);
        Runnable hvp = () -> h.hvp(v, hv);
        for (Runnable r : List.of(gradientH, hvp)) for (int i = 0; i < 2; i++) r.run();  // warm-up
        Timing gradH = new Timing(), hvpT = new Timing();
        for (int r = 0; r < rounds; r++) {
            Timing.measure(gradH, perRound, gradientH);
            Timing.measure(hvpT, perRound, hvp);
        }
        Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();

        String out = String.format("%s (%,d parameters; PyTorch %,d), batch %d:%n", c.name(), n, torchParams, batch)
                + String.format("  training step (fwd+bwd+Adam): tuneless %.1f ms, PyTorch %.1f ms → ratio %.2f× (target ≤ 1.0×: %s)%n",
                        ours.median(), torch.median(), ours.median() / torch.median(), ours.median() <= torch.median() ? "met" : "NOT met")
                + String.format("  forward + loss: tuneless %.1f ms, PyTorch %.1f ms (with autograd recording) → %.2f×%n",
                        fwd.median(), torchFwd.median(), fwd.median() / torchFwd.median())
                + String.format("  gradient (forward + backward) %.1f ms; Adam update alone: tuneless %.1f ms, PyTorch %.1f ms%n",
                        grad.median(), adamT.median(), torchOpt.median())
                + String.format("  at batch %d: gradient %.1f ms, exact HVP %.1f ms → %.2f× a gradient", hb, gradH.median(), hvpT.median(),
                        hvpT.median() / gradH.median());
        System.out.println(out);
        return out;
    }
}
