package org.tuneless.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tuneless.train.Checkpoint;

/**
 * Crash safety under SIGKILL: a child JVM that writes a checkpoint after every step is killed with SIGKILL ({@code kill -9}, here {@link Process#destroyForcibly}) at
 * random moments (so many kills land while a checkpoint is being written), {@value #TRIALS} times in a row, each time
 * resumed from the newest valid checkpoint. Every kill must leave a readable newest checkpoint and a metrics.jsonl whose
 * complete lines are valid; the run finished after the last kill must have the metrics of an uninterrupted run, bit for
 * bit. (The number of kills can be raised with -Dtuneless.kill.trials=N.)
 */
class KillDuringCheckpointTest {

    // 10 kills of ≈ 5 s each keep the suite's time (20 took ≈ 100 s of it; most kills land mid-checkpoint either way);
    // raise it for a longer soak
    static final int TRIALS = Integer.getInteger("tuneless.kill.trials", 10);
    static final int STEPS = 400;

    static final String[] RUN = {"train", "--model", "mlp:784-64-10", "--data", "fashion-mnist-embedded:256", "--optimizer", "adam", "--batch", "32",
            "--dtype", "float64", "--eval-every", "0", "--quiet", "--steps", Integer.toString(STEPS)};

    static Process child(Path log, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TunelessCli.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test void killedAtRandomMomentsItAlwaysResumesFromAValidCheckpointAndEndsAsAnUninterruptedRun(@TempDir Path tmp) throws Exception {
        Assumptions.assumeFalse(System.getProperty("os.name").startsWith("Windows"), "skipped: destroyForcibly is SIGKILL on Unix only");
        Path run = tmp.resolve("killed");
        long t1 = System.nanoTime();
        Random rng = new Random(42);
        int kills = 0, midCheckpoint = 0;
        long lastStep = -1;
        for (int trial = 0; trial < TRIALS; trial++) {
            List<String> args = new ArrayList<>(List.of(RUN));
            if (trial == 0) args.addAll(List.of("--out", run.toString(), "--checkpoint-every", "1", "--keep", "2"));
            else args = List.of("train", "--resume", run.toString(), "--quiet", "--checkpoint-every", "1", "--keep", "2");
            Path log = tmp.resolve("child-" + trial + ".log");
            // short-lived children: C1 only and the serial collector start ~0.4 s sooner and use ~1.2 s less CPU each
            // (float64 runs: ND4J's native ops do the arithmetic, so the numbers do not depend on the JIT)
            Process p = child(log, List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), args.toArray(String[]::new));
            try {
                // wait until this child has written a checkpoint of its own, then kill it after a random delay
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                long before = lastStep;
                while (System.nanoTime() < deadline && p.isAlive() && newestStep(run) <= before) Thread.sleep(5);
                Thread.sleep(rng.nextInt(150));
                if (!p.isAlive()) break;   // finished: nothing left to kill
                midCheckpoint += hasTemporaryCheckpoint(run) ? 1 : 0;
                p.destroyForcibly();   // SIGKILL on Unix
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child did not die");
                kills++;
            } finally {
                p.destroyForcibly();
            }
            // after the kill: the newest valid checkpoint reads, and every complete metrics line parses
            Checkpoint c = Checkpoint.newest(run);
            assertTrue(c.step() > lastStep || c.step() == lastStep, "progress: " + c.step() + " after " + lastStep);
            lastStep = c.step();
            for (String line : Checkpoint.completeLines(run.resolve("metrics.jsonl"))) {
                assertTrue(line.startsWith("{\"step\":") && line.endsWith("}"), "a complete metrics line: " + line);
            }
        }
        long t2 = System.nanoTime();
        assertTrue(kills >= TRIALS / 2, "most trials killed a running child: " + kills);
        TunelessCliTest.Result finish = TunelessCliTest.run("train", "--resume", run.toString(), "--quiet");
        assertEquals(0, finish.code(), finish.err());
        long t3 = System.nanoTime();
        Path clean = tmp.resolve("clean");
        List<String> cleanArgs = new ArrayList<>(List.of(RUN));
        cleanArgs.addAll(List.of("--out", clean.toString()));
        assertEquals(0, TunelessCliTest.run(cleanArgs.toArray(String[]::new)).code());
        System.out.printf("KillDuringCheckpointTest: %d kills -9, %d while a checkpoint was being written (a .tmp- directory present); newest checkpoint "
                + "before the final resume: step %d; %d trials %.1f s, final resume %.1f s, uninterrupted run %.1f s%n", kills, midCheckpoint, lastStep,
                TRIALS, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (System.nanoTime() - t3) / 1e9);
        assertEquals(CheckpointCliTest.lossAndLr(clean), CheckpointCliTest.lossAndLr(run), "after " + kills + " kills (" + midCheckpoint
                + " with a checkpoint being written) the run equals an uninterrupted one");
        assertEquals(STEPS, CheckpointCliTest.lossAndLr(run).size());
    }

    /** The newest step-N directory's step, from the names only (polled every 5 ms: reading checkpoints would slow the child down). */
    static long newestStep(Path run) {
        Path root = run.resolve("checkpoints");
        if (!Files.isDirectory(root)) return -1;
        try (var s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("step-\\d+"))
                    .mapToLong(n -> Long.parseLong(n.substring(5))).max().orElse(-1);
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;   // listed while the child renamed a directory
        }
    }

    static boolean hasTemporaryCheckpoint(Path run) throws IOException {
        Path root = run.resolve("checkpoints");
        if (!Files.isDirectory(root)) return false;
        try (var s = Files.list(root)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(".tmp-"));
        }
    }
}
