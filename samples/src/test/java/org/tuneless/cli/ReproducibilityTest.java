package org.tuneless.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same seed gives the same numbers, process after process, in float32 with the fused kernels on (each run a
 * fresh JVM, as a user's). A kernel whose result depends on whether the JIT has compiled it yet breaks this: the
 * Vector API's EXP is an SVML stub once compiled and Math.exp per lane before, so GELU's Φ/φ changed in the last bit
 * at a moment that depends on the compiler threads, and four runs of this command gave four different histories.
 */
class ReproducibilityTest {

    static List<String> run(Path out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC"));
        for (String p : new String[]{"org.bytedeco.javacpp.cachedir", "org.bytedeco.javacpp.platform.extension"}) {
            if (System.getProperty(p) != null) cmd.add("-D" + p + "=" + System.getProperty(p));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TunelessCli.class.getName(),
                "train", "--model", "mlp:784-128-128-10:gelu", "--data", "fashion-mnist-embedded:1024", "--optimizer", "adam",
                "--batch", "64", "--steps", "300", "--eval-every", "0", "--quiet", "--out", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.resolveSibling(out.getFileName() + ".log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run ended");
        assertEquals(0, p.exitValue(), Files.readString(out.resolveSibling(out.getFileName() + ".log")));
        // every column but the wall clock
        List<String> lines = Files.readAllLines(out.resolve("metrics.csv"));
        int time = List.of(lines.get(0).split(",")).indexOf("time_s");
        List<String> out2 = new ArrayList<>();
        for (String l : lines) {
            List<String> cells = new ArrayList<>(List.of(l.split(",", -1)));
            cells.remove(time);
            out2.add(String.join(",", cells));
        }
        return out2;
    }

    @Test void aFloat32GeluRunGivesTheSameHistoryInEveryProcess(@TempDir Path dir) throws Exception {
        assertTrue(org.tuneless.tensor.Kernels.fused(), "the test JVM runs the fused kernels: " + org.tuneless.tensor.Kernels.describe());
        List<String> a = run(dir.resolve("a")), b = run(dir.resolve("b")), c = run(dir.resolve("c"));
        assertEquals(301, a.size(), "300 steps and the header");
        assertEquals(a, b, "run 2 differs from run 1");
        assertEquals(a, c, "run 3 differs from run 1");
    }
}
