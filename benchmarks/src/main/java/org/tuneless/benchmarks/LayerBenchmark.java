package org.tuneless.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.nn.LayerProfile;
import org.tuneless.nn.Network;
import org.tuneless.nn.SoftmaxCrossEntropy;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where a gradient's time goes, per layer kind, next to PyTorch's per-op profile of the same gradient: the zoo models
 * of {@code benchmarks/run zoo} (ResNet-18 at batch 128, nanoLM at batch 64), float32, one thread. Our side: the
 * engine's {@link LayerProfile} (wall time of every plain layer's forward and backward, summed by kind), over
 * {@code repeats} gradients after three warm-ups; what is left is the engine's own work (loss, workspaces). PyTorch's side:
 * {@code torch.autograd.profiler} self CPU time per aten op over the same number of gradients (a fresh process).
 * Run with {@code benchmarks/run layers [resnet18|nanolm|all] [repeats]}.
 */
public final class LayerBenchmark {

    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "all";
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        boolean byShape = args.length > 2 && args[2].equals("shapes");
        if (args.length > 2 && !byShape) throw new IllegalArgumentException("benchmarks/run layers: unknown option '" + args[2] + "'; valid: shapes");
        List<ModelStepBenchmark.Case> cases = new ArrayList<>();
        if (which.equals("all") || which.equals("resnet18")) cases.add(ModelStepBenchmark.resnet18());
        if (which.equals("all") || which.equals("nanolm")) cases.add(ModelStepBenchmark.nanoLM());
        if (cases.isEmpty()) throw new IllegalArgumentException("benchmarks/run layers: unknown model '" + which + "'; valid: resnet18, nanolm, all");
        for (ModelStepBenchmark.Case c : cases) profile(c, repeats, byShape);
    }

    private static void profile(ModelStepBenchmark.Case c, int repeats, boolean byShape) {
        Network net = c.net();
        INDArray g = Nd4j.zeros(DataType.FLOAT, net.parameterCount());
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        for (int i = 0; i < 3; i++) net.lossAndGradient(ce, c.batch(), g);  // warm-up (the fused kernels need C2)
        LayerProfile.start(byShape);
        long t0 = System.nanoTime();
        for (int i = 0; i < repeats; i++) net.lossAndGradient(ce, c.batch(), g);
        double total = (System.nanoTime() - t0) / 1e6 / repeats;
        Map<String, long[]> profile = LayerProfile.stop();
        long batch = c.batch().inputs().size(0);
        System.out.printf("%n%s, batch %d: gradient (forward + backward) %.1f ms per step, by layer kind and call%s:%n", c.name(), batch, total,
                byShape ? " and the shape it is given (without the batch: x forward, gy backward)" : "");
        double inLayers = 0;
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(profile.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        for (Map.Entry<String, long[]> e : rows) {
            double ms = e.getValue()[0] / 1e6 / repeats;
            inLayers += ms;
            System.out.printf("  %-40s %9.1f ms  %5.1f%%  (%d calls)%n", e.getKey(), ms, 100 * ms / total, e.getValue()[1] / repeats);
        }
        System.out.printf("  %-40s %9.1f ms  %5.1f%%%n", "engine (loss, workspaces)", total - inLayers, 100 * (total - inLayers) / total);

        List<String> torchArgs = new ArrayList<>(List.of("zoo", "--model", c.name(), "--batch", "" + batch, "--repeats", "" + repeats,
                "--warmup", "1", "--profile"));
        if (byShape) torchArgs.add("--shapes");  // the ops also by their first input's shape, as ours
        JsonNode ref = TorchReference.run(torchArgs);
        double torchTotal = 0;
        for (JsonNode op : ref.get("ops")) torchTotal += op.get("self_ms").asDouble();
        System.out.printf("PyTorch, the same gradient: %.1f ms of self CPU time per step, the ops above 1%%:%n", torchTotal);
        for (JsonNode op : ref.get("ops")) {
            double ms = op.get("self_ms").asDouble();
            if (ms < 0.01 * torchTotal) break;
            System.out.printf("  %-40s %9.1f ms  %5.1f%%  (%d calls)%n", op.get("op").asText(), ms, 100 * ms / torchTotal, op.get("calls").asInt());
        }
    }
}
