package org.tuneless.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.nn.Network;
import org.tuneless.run.ModelFiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The command line's checkpoints: --checkpoint-every, --resume (exact, ignoring a partial metrics line), --override,
 * --save, an unusable --out refused before training, and Ctrl-C on a child JVM: INTERRUPTED, a checkpoint, exit 130,
 * and a resume that ends with the metrics of an uninterrupted run.
 */
class CheckpointCliTest {

    static final String[] RUN = {"train", "--model", "mlp:784-8-10", "--data", "fashion-mnist-embedded:64", "--optimizer", "adam", "--batch", "16",
            "--dtype", "float64", "--eval-every", "0", "--quiet"};

    static String[] args(String... more) {
        List<String> a = new ArrayList<>(List.of(RUN));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** The loss and lr columns of metrics.csv (bit-exact text of the doubles). */
    static List<String> lossAndLr(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(dir.resolve("metrics.csv"));
        assertTrue(lines.get(0).startsWith("step,epoch,loss,lr,"), lines.get(0));
        for (String l : lines.subList(1, lines.size())) {
            String[] c = l.split(",");
            out.add(c[0] + "," + c[2] + "," + c[3]);
        }
        return out;
    }

    static JsonNode runJson(Path dir) throws IOException { return new ObjectMapper().readTree(dir.resolve("run.json").toFile()); }

    @Test void checkpointsResumeExactlyAndChangedSpecsNeedAnOverride(@TempDir Path tmp) throws IOException {
        Path a = tmp.resolve("a"), model = tmp.resolve("model.safetensors");
        TunelessCliTest.Result r = TunelessCliTest.run(args("--steps", "6", "--checkpoint-every", "3", "--out", a.toString(), "--save", model.toString()));
        assertEquals(0, r.code(), r.err());
        assertEquals("COMPLETED", runJson(a).get("status").asText());
        assertTrue(Files.isDirectory(a.resolve("checkpoints/step-00000003")) && Files.isDirectory(a.resolve("checkpoints/step-00000006")));
        List<String> straight = lossAndLr(a);
        assertEquals(6, straight.size());
        // the saved model reloads with the run's parameters
        Network net = ModelFiles.load(model);
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 3, 784);
        assertEquals(784 * 8 + 8 + 8 * 10 + 10, net.parameterCount());
        assertArrayEquals(net.predict(x).toDoubleMatrix(), ModelFiles.load(model).predict(x).toDoubleMatrix());

        // as after a crash between checkpoints: the last checkpoint gone, a half-written metrics line
        deleteTree(a.resolve("checkpoints/step-00000006"));
        Files.writeString(a.resolve("metrics.jsonl"), "{\"step\":6,\"epo", StandardOpenOption.APPEND);
        r = TunelessCliTest.run(args("--resume", a.toString(), "--steps", "8"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("steps (checkpoint 6, now 8)") && r.err().contains("--override steps"), r.err());
        r = TunelessCliTest.run("train", "--resume", a.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("resumed from") && r.out().contains("at step 3"), r.out());
        assertEquals(straight, lossAndLr(a), "resumed metrics equal the uninterrupted run's");
        assertEquals(6, Files.readAllLines(a.resolve("metrics.jsonl")).size());
        // extending the run by 2 steps
        r = TunelessCliTest.run("train", "--resume", a.toString(), "--steps", "8", "--override", "steps", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertEquals(8, lossAndLr(a).size());
        assertEquals(straight, lossAndLr(a).subList(0, 6));

        // --out that is a regular file: refused before training, with the reason
        Path file = Files.writeString(tmp.resolve("file"), "x");
        r = TunelessCliTest.run(args("--steps", "2", "--out", file.toString()));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is a file, not a directory") && !r.out().contains("model mlp"), r.err() + r.out());
    }

    @Test void ctrlCWritesACheckpointAndResumeFinishesTheRun(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/kill")) || Files.isExecutable(Path.of("/usr/bin/kill")), "skipped: no kill command");
        Path b = tmp.resolve("b");
        // a process started with SIGINT ignored (a background job of a non-interactive shell, e.g. CI run with `&`) passes
        // that on, and the JVM then installs no handler for it (Ctrl-C cannot reach such a process either): SIGTERM takes
        // the same path (exit 143 instead of 130)
        String signal = sigintIgnored() ? "TERM" : "INT";
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                TunelessCli.class.getName()));
        cmd.addAll(List.of(args("--steps", "100000", "--out", b.toString())));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline && p.isAlive()) {
                Path m = b.resolve("metrics.jsonl");
                if (Files.exists(m) && org.tuneless.train.Checkpoint.completeLines(m).size() >= 5) break;
                Thread.sleep(50);
            }
            assertTrue(p.isAlive(), "child ended early: " + Files.readString(tmp.resolve("child.log")));
            assertEquals("RUNNING", runJson(b).get("status").asText(), "run.json is written at the start");
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                // keep what is needed to find out why (seen once in a loaded CI run, not reproduced): its threads and its output
                Process dump = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(p.pid()), "Thread.print")
                        .redirectErrorStream(true).start();
                String threads = new String(dump.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                fail("child did not stop within 60 s of SIG" + signal + "; its output:\n" + Files.readString(tmp.resolve("child.log")) + "\nits threads:\n" + threads);
            }
        } finally {
            p.destroyForcibly();
        }
        String log = Files.readString(tmp.resolve("child.log"));
        assertEquals(signal.equals("INT") ? 130 : 143, p.exitValue(), log);
        JsonNode meta = runJson(b);
        assertEquals("INTERRUPTED", meta.get("status").asText(), log);
        int done = meta.get("steps_recorded").asInt();
        assertTrue(Files.isDirectory(b.resolve("checkpoints").resolve(String.format("step-%08d", done))), log);
        // resume and finish a few more steps; compare with an uninterrupted run of that length
        int total = done + 4;
        TunelessCliTest.Result r = TunelessCliTest.run("train", "--resume", b.toString(), "--steps", Integer.toString(total), "--override", "steps", "--quiet");
        assertEquals(0, r.code(), r.err());
        Path c = tmp.resolve("c");
        assertEquals(0, TunelessCliTest.run(args("--steps", Integer.toString(total), "--out", c.toString())).code());
        assertEquals(lossAndLr(c), lossAndLr(b));
        assertEquals("COMPLETED", runJson(b).get("status").asText());
    }

    /** Whether this process ignores SIGINT (its children inherit that): bit 2 − 1 of SigIgn in /proc/self/status. */
    static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) return false;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
        }
        return false;
    }

    static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
