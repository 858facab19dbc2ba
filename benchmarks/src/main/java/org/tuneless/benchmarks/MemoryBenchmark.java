package org.tuneless.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.nn.NetworkObjective;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.objective.Batch;
import org.tuneless.optim.Adam;
import org.tuneless.optim.OptimizerState;
import org.tuneless.optim.StepContext;

/**
 * Peak memory of one ResNet-18 pass kind in a fresh JVM ({@code benchmarks/run memory}): {@code step} runs training
 * steps (forward, backward, Adam) at a batch, {@code hvp} exact Hessian-vector products; prints one JSON line with the
 * process's peak RSS (VmHWM), the memory plan's prediction and the median time. The memory plan is on unless the JVM
 * runs with {@code -Dtuneless.memoryPlan=false}. {@code MEMORY_STAGES=1} prints the resident set after the first passes
 * and the workspaces held at the end (stderr).
 */
public final class MemoryBenchmark {

    public static void main(String[] args) throws IOException {
        Nd4j.create(1);
        long atStart = peakRssKb();
        String what = args.length > 0 ? args[0] : "step";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Network net = Models.resnet18(new long[]{1, 28, 28}, 10, Models.Norm.BATCH).build(DataType.FLOAT, 0);
        if (System.getenv("MEMORY_STAGES") != null) System.err.printf("after build: peak %d MB%n", peakRssKb() / 1024);
        Batch b = ModelStepBenchmark.resnet18Batch(batch);
        long baseline = peakRssKb();  // before any pass
        NetworkObjective f = new NetworkObjective(net, new SoftmaxCrossEntropy(), b);
        long n = net.parameterCount();
        INDArray g = Nd4j.zeros(DataType.FLOAT, n), hv = Nd4j.zeros(DataType.FLOAT, n);
        INDArray v = Nd4j.randn(DataType.FLOAT, n).muli(1e-2);
        Adam adam = new Adam(1e-4);
        OptimizerState state = adam.init(net.layout(), DataType.FLOAT);
        long[] step = {0};
        Runnable body = what.equals("hvp") ? () -> f.hvp(v, hv) : () -> {
            double loss = f.lossAndGradient(g);
            adam.step(new StepContext(step[0]++, f, g, loss, net.layout()), state);
        };
        Timing time = new Timing();
        body.run();  // warm-up
        if (System.getenv("MEMORY_STAGES") != null) System.err.printf("after the first pass: peak %d MB, now %d MB%n", peakRssKb() / 1024, rssKb() / 1024);
        body.run();
        if (System.getenv("MEMORY_STAGES") != null) System.err.printf("after the second pass: peak %d MB, now %d MB%n", peakRssKb() / 1024, rssKb() / 1024);
        Timing.measure(time, repeats, body);
        long peak = peakRssKb(), workspaces = workspaceBytes();
        if (System.getenv("MEMORY_STAGES") != null) {
            for (var ws : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) {
                System.err.printf("  workspace %s: %d MB (last cycle %d MB)%n", ws.getId(), ws.getCurrentSize() >> 20, ws.getLastCycleAllocations() >> 20);
            }
        }
        Network.MemoryPlan plan = net.memoryPlan(batch);  // after the measured passes: its probes do not count
        long predicted = what.equals("hvp") ? plan.hvpBytes() : plan.gradientBytes();
        System.out.printf(java.util.Locale.ROOT,
                "{\"what\": \"%s\", \"batch\": %d, \"plan\": %b, \"peak_rss_mb\": %.0f, \"rss_before_mb\": %.0f, \"predicted_workspace_mb\": %.0f, \"median_ms\": %.0f, \"heap_committed_mb\": %.0f, \"rss_after_nd4j_init_mb\": %.0f, \"workspaces_mb\": %.0f}%n",
                what, batch, !"false".equals(System.getProperty("tuneless.memoryPlan", "true")), peak / 1024.0, baseline / 1024.0,
                predicted / 1048576.0, time.median(), Runtime.getRuntime().totalMemory() / 1048576.0,
                atStart / 1024.0, workspaces / 1048576.0);
    }

    /** Bytes held by this thread's ND4J workspaces (their current sizes). */
    private static long workspaceBytes() {
        long sum = 0;
        for (var ws : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) sum += ws.getCurrentSize();
        return sum;
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return -1;
    }

    private static long peakRssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return -1;
    }
}
