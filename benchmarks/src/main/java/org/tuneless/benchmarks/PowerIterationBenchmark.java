package org.tuneless.benchmarks;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.tuneless.curvature.PowerIteration;
import org.tuneless.curvature.SharpnessEstimate;
import org.tuneless.data.Dataset;
import org.tuneless.data.FashionMnist;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.nn.NetworkObjective;
import org.tuneless.nn.SoftmaxCrossEntropy;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * λmax to 1e-3 relative change for MLP 784-256-256-10 on the 4,096 embedded Fashion-MNIST training images, float32:
 * Tuneless power iteration vs PyTorch (double backprop) on the same data and threads, alternating rounds. Both start
 * from seeded Gaussian vectors and freshly initialized weights of their own library, so the HVP counts differ; the
 * table reports time per HVP as well as time to tolerance. Run with {@code benchmarks/run power [rounds]}.
 */
public final class PowerIterationBenchmark {

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Dataset data = FashionMnist.embedded().train();
        Path file = Files.createTempFile("tuneless-fmnist", ".bin");
        writeRaw(data, file);
        Network net = Models.mlp(784, 256, 256, 10);
        NetworkObjective f = new NetworkObjective(net, new SoftmaxCrossEntropy(), data.fullBatch());
        PowerIteration power = PowerIteration.builder().tolerance(1e-3).maxIterations(1000).seed(1234).build();
        // warm-up: the JIT compiles the kernels and the engine's walks over the first few runs (a run is 7 products here,
        // ≈ 0.3 s); one warm-up run left the timed rounds at ≈ 2× the steady time per product. The cold first run, in a
        // fresh JVM, is printed too: it is what a single call in a new process costs.
        long c0 = System.nanoTime();
        SharpnessEstimate cold = power.run(f);
        double coldMs = (System.nanoTime() - c0) / 1e6;
        long warmStart = System.nanoTime();
        for (int w = 1; w < 5 || System.nanoTime() - warmStart < 3_000_000_000L; w++) power.run(f);
        Timing ours = new Timing(), torch = new Timing(), oursPerHvp = new Timing(), torchPerHvp = new Timing();
        int threads = Integer.parseInt(System.getenv().getOrDefault("OMP_NUM_THREADS", "1"));
        SharpnessEstimate last = null;
        JsonNode lastTorch = null;
        for (int r = 0; r < rounds; r++) {
            long s = System.nanoTime();
            last = power.run(f);
            double ms = (System.nanoTime() - s) / 1e6;
            ours.add(ms);
            oursPerHvp.add(ms / last.hvps());
            lastTorch = TorchReference.run(List.of("power", "--widths", "784,256,256,10", "--samples", "4096", "--data", file.toString(),
                    "--repeats", "1", "--warmup", "1", "--threads", "" + threads));
            double tms = lastTorch.get("times_ms").get(0).asDouble();
            torch.add(tms);
            torchPerHvp.add(tms / lastTorch.get("results").get(0).get("hvps").asDouble());
        }
        Files.deleteIfExists(file);
        System.out.printf("λmax (tol 1e-3), MLP 784-256-256-10, 4096 Fashion-MNIST images, float32, OMP_NUM_THREADS=%d, %d rounds%n", threads, rounds);
        System.out.printf("tuneless: %.0f ms to tolerance, %d HVPs, %.1f ms/HVP, λ = %.4f%n", ours.median(), last.hvps(), oursPerHvp.median(), last.eigenvalue());
        JsonNode res = lastTorch.get("results").get(0);
        System.out.printf("PyTorch:  %.0f ms to tolerance, %d HVPs, %.1f ms/HVP, λ = %.4f%n", torch.median(), res.get("hvps").asInt(), torchPerHvp.median(), res.get("lambda").asDouble());
        System.out.printf("tuneless, cold (the first run in a fresh JVM, before warm-up): %.0f ms, %.1f ms/HVP%n", coldMs, coldMs / cold.hvps());
        System.out.printf("ratio per HVP %.2f× (target ≤ 0.8×); ratio to tolerance %.2f×%n", oursPerHvp.median() / torchPerHvp.median(), ours.median() / torch.median());
    }

    private static void writeRaw(Dataset d, Path file) {
        float[] x = d.inputs().castTo(DataType.FLOAT).reshape(d.inputs().length()).toFloatVector();
        int[] labels = d.labels();
        ByteBuffer buf = ByteBuffer.allocate(4 * (x.length + labels.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : x) buf.putFloat(v);
        for (int l : labels) buf.putInt(l);
        try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(file))) {
            o.write(buf.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
