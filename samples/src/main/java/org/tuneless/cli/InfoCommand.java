package org.tuneless.cli;

import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Kernels;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tuneless info}: what this installation computes with — the ND4J backend (CPU or CUDA), its BLAS and threads,
 * the native build, whether the fused elementwise kernels (Vector API) are on, and the memory limits.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the compute backend (ND4J CPU or CUDA), BLAS and its threads, the native build, the fused kernels (Vector API) and memory limits.")
final class InfoCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        row(out, "tuneless", spec.root().version()[0].replace("tuneless ", ""));
        row(out, "Java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + "), max heap "
                + gib(Runtime.getRuntime().maxMemory()));
        Properties env;
        try {
            env = Nd4j.getExecutioner().getEnvironmentInformation();
        } catch (Throwable e) {  // e.g. a -Pcuda build on a machine without the NVIDIA driver: "libcuda.so.1: cannot open …"
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            row(out, "ND4J backend", "FAILED to load: " + firstLine(String.valueOf(root.getMessage())));
            spec.commandLine().getErr().println("tuneless info: the ND4J backend did not load (" + root.getClass().getSimpleName()
                    + "). A CUDA build (mvn -Pcuda) needs an NVIDIA GPU with its driver (libcuda.so.1), CUDA 11.6 and cuDNN 8.3; "
                    + "the default CPU build needs nothing else");
            return 1;
        }
        String backend = Nd4j.getBackend().getClass().getSimpleName();
        boolean cuda = backend.toLowerCase().contains("cuda") || backend.toLowerCase().contains("cublas");
        row(out, "ND4J backend", (cuda ? "CUDA" : "CPU") + " (" + backend + ")" + (cuda ? "" : "; GPU: build with -Pcuda (not verified on a GPU, see README)"));
        row(out, "BLAS", String.valueOf(env.getOrDefault("blas.vendor", Nd4j.factory().blas().getBlasVendor()))
                + ", " + Nd4j.getEnvironment().maxMasterThreads() + " thread(s) (OMP_NUM_THREADS="
                + (System.getenv("OMP_NUM_THREADS") == null ? "unset" : System.getenv("OMP_NUM_THREADS"))
                + (System.getenv("OPENBLAS_CORETYPE") == null ? "" : ", OPENBLAS_CORETYPE=" + System.getenv("OPENBLAS_CORETYPE")) + ")");
        String ext = System.getProperty("org.bytedeco.javacpp.platform.extension", "");
        row(out, "native build", (cuda ? "nd4j-cuda-11.6 " : "nd4j-native ") + org.bytedeco.javacpp.Loader.getPlatform() + (ext.isEmpty() ? " (generic)" : ext));
        row(out, "elementwise", Kernels.describe());
        row(out, "off-heap limit", gib(Pointer.maxBytes()) + " (physical memory " + gib(Pointer.totalPhysicalBytes()) + ")");
        // JavaCPP reads the resident size on every native allocation while this limit is positive (benchmarks/README.md)
        row(out, "RSS check", Pointer.maxPhysicalBytes() > 0
                ? "on: JavaCPP reads the resident size at each native allocation (limit " + gib(Pointer.maxPhysicalBytes())
                        + "); -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 turns it off, as ./tuneless does"
                : "off (-Dorg.bytedeco.javacpp.maxPhysicalBytes=0)");
        // glibc reads GLIBC_TUNABLES once at start-up; ./tuneless sets its allocator settings (pom.xml, tuneless.glibc.tunables)
        String tunables = System.getenv("GLIBC_TUNABLES");
        row(out, "allocator", tunables == null || tunables.isBlank()
                ? "glibc defaults: first passes of large models can run ~2× slower where page faults are costly (VMs); ./tuneless sets GLIBC_TUNABLES (README, embedding)"
                : "GLIBC_TUNABLES=" + tunables);
        row(out, "conv backward", org.tuneless.nn.Conv2d.backwardPath());
        row(out, "cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
        return 0;
    }

    private static void row(PrintWriter out, String name, String value) {
        out.printf("%-15s %s%n", name + ":", value);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String gib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
}
