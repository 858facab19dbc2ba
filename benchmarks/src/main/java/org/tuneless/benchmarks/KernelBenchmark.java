package org.tuneless.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.nn.Gelu;
import org.tuneless.tensor.Kernels;
import org.tuneless.tensor.Workspaces;

/**
 * The exact GELU, x·Φ(x), forward on nanoLM's GELU shape (64 × 64 × 512 float32, 2.1 M elements), one thread:
 * Tuneless's fused Φ/φ kernel alone ({@code Kernels.normalCdfPdf}, float64 lanes rounded to float32), the GELU layer's
 * forward with the kernel and with the reference ND4J-op path ({@code erf}, {@code exp}), and PyTorch's
 * {@code torch.nn.functional.gelu} (exact erf form) on the same shape in a fresh process per round. Prints medians in
 * ms and ns per element, and the ratios. Then batch norm's forward (batch statistics) + backward at ResNet-18's largest
 * activation (128 × 64 × 28 × 28), fused kernels vs ND4J ops vs PyTorch's {@code BatchNorm2d}. Run with {@code benchmarks/run kernels [rounds] [repeats]}.
 */
public final class KernelBenchmark {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        long[] shape = {64, 64, 512};
        long n = shape[0] * shape[1] * shape[2];
        System.out.println("kernels: " + Kernels.describe());
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.randn(DataType.FLOAT, shape).muli(1.5);
        INDArray cdf = Nd4j.createUninitialized(DataType.FLOAT, shape), pdf = Nd4j.createUninitialized(DataType.FLOAT, shape);
        Gelu gelu = new Gelu();
        INDArray[] none = new INDArray[0];
        Runnable kernel = () -> Kernels.normalCdfPdf(x, cdf, pdf);
        // the layer's forward inside a pass workspace, as the engine runs it (its temporaries reused, not malloc'd)
        Runnable fused = () -> {
            try (var ws = Workspaces.pass("kernel-benchmark")) {
                gelu.forward(x, none);
            }
        };
        Runnable reference = () -> {
            try (var ws = Workspaces.pass("kernel-benchmark")) {
                Kernels.referenceOnly(() -> gelu.forward(x, none));
            }
        };
        Timing tk = new Timing(), tf = new Timing(), tr = new Timing(), tt = new Timing();
        for (int r = 0; r < rounds; r++) {
            for (Runnable warm : List.of(kernel, fused, reference)) for (int i = 0; i < 3; i++) warm.run();
            Timing.measure(tk, repeats, kernel);
            Timing.measure(tf, repeats, fused);
            Timing.measure(tr, Math.max(3, repeats / 4), reference);
            tt.addAll(torch(shape, repeats));
            System.out.printf("round %d: kernel %.2f ms, GELU forward fused %.2f ms, reference %.2f ms, PyTorch %.2f ms%n", r + 1,
                    tk.median(), tf.median(), tr.median(), tt.median());
        }
        // batch norm at ResNet-18's largest shape: forward (batch statistics) + backward of one layer, in a pass workspace
        long[] bnShape = {128, 64, 28, 28};
        long bnN = 128L * 64 * 28 * 28;
        INDArray bx = Nd4j.randn(DataType.FLOAT, bnShape), bgy = Nd4j.randn(DataType.FLOAT, bnShape);
        INDArray[] bnTheta = {Nd4j.ones(DataType.FLOAT, 64), Nd4j.zeros(DataType.FLOAT, 64)};
        INDArray[] bnGrads = {Nd4j.zeros(DataType.FLOAT, 64), Nd4j.zeros(DataType.FLOAT, 64)};
        org.tuneless.nn.BatchNorm bn = new org.tuneless.nn.BatchNorm();
        bn.bind(new long[]{64, 28, 28});
        Runnable bnFused = () -> {
            try (var ws = Workspaces.pass("kernel-benchmark")) {
                bn.forward(bx, bnTheta);
                bn.backward(bgy, bnTheta, bnGrads, true);
            }
        };
        Runnable bnReference = () -> Kernels.referenceOnly(() -> {
            bnFused.run();
            return null;
        });
        Timing bf = new Timing(), br = new Timing(), bt = new Timing();
        for (int r = 0; r < rounds; r++) {
            for (Runnable warm : List.of(bnFused, bnReference)) for (int i = 0; i < 2; i++) warm.run();
            Timing.measure(bf, Math.max(3, repeats / 4), bnFused);
            Timing.measure(br, Math.max(3, repeats / 4), bnReference);
            bt.addAll(torchBatchNorm(bnShape, Math.max(3, repeats / 4)));
            System.out.printf("round %d: batch norm fused %.1f ms, reference %.1f ms, PyTorch %.1f ms%n", r + 1, bf.median(), br.median(), bt.median());
        }
        System.out.printf("%nGELU on %d×%d×%d float32 (%,d elements), one thread, medians:%n", shape[0], shape[1], shape[2], n);
        row("Φ and φ, fused kernel (float64 lanes)", tk, n, tt);
        row("GELU forward, fused kernel", tf, n, tt);
        row("GELU forward, reference ND4J ops (erf, exp)", tr, n, tt);
        row("GELU forward, PyTorch (exact erf)", tt, n, tt);
        System.out.printf("%nBatch norm forward + backward on 128×64×28×28 float32 (%,d elements), one thread, medians:%n", bnN);
        row("fused kernels", bf, bnN, bt);
        row("reference ND4J ops", br, bnN, bt);
        row("PyTorch BatchNorm2d", bt, bnN, bt);
    }

    /** PyTorch's BatchNorm2d forward + backward (training mode) on the same shape, in a fresh process. */
    private static List<Double> torchBatchNorm(long[] shape, int repeats) throws Exception {
        return python(String.join("\n",
                "import sys, time, torch",
                "torch.set_num_threads(int(sys.argv[1])); torch.manual_seed(1)",
                "x = torch.randn(" + shape[0] + ", " + shape[1] + ", " + shape[2] + ", " + shape[3] + ", requires_grad=True)",
                "gy = torch.randn_like(x); bn = torch.nn.BatchNorm2d(" + shape[1] + ")",
                "def step():",
                "    x.grad = None; bn.zero_grad(); bn(x).backward(gy)",
                "for _ in range(2): step()",
                "for _ in range(int(sys.argv[2])):",
                "    s = time.perf_counter(); step(); print((time.perf_counter() - s) * 1e3)"), repeats);
    }

    private static void row(String what, Timing t, long n, Timing torch) {
        System.out.printf("  %-46s %8.2f ms  %6.2f ns/element  %5.2f× PyTorch%n", what, t.median(), t.median() * 1e6 / n, t.median() / torch.median());
    }

    /** PyTorch's exact GELU forward on the same shape, {@code repeats} times after a warm-up, in a fresh process. */
    private static List<Double> torch(long[] shape, int repeats) throws Exception {
        return python(String.join("\n",
                "import sys, time, torch",
                "torch.set_num_threads(int(sys.argv[1])); torch.manual_seed(1)",
                "x = torch.randn(" + shape[0] + ", " + shape[1] + ", " + shape[2] + ") * 1.5",
                "for _ in range(3): torch.nn.functional.gelu(x)",
                "for _ in range(int(sys.argv[2])):",
                "    s = time.perf_counter(); torch.nn.functional.gelu(x); print((time.perf_counter() - s) * 1e3)"), repeats);
    }

    /** Runs a timing script (argv: threads, repeats) and collects the milliseconds it prints, one per line. */
    private static List<Double> python(String code, int repeats) throws Exception {
        String threads = System.getenv().getOrDefault("OMP_NUM_THREADS", "1");
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", code, threads, Integer.toString(repeats)).redirectErrorStream(true).start();
        List<Double> ms = new java.util.ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                try {
                    ms.add(Double.parseDouble(line.trim()));
                } catch (NumberFormatException e) {
                    System.err.println("pytorch: " + line);
                }
            }
        }
        if (p.waitFor() != 0 || ms.isEmpty()) throw new IllegalStateException("a PyTorch timing failed (exit " + p.exitValue() + ")");
        return ms;
    }
}
