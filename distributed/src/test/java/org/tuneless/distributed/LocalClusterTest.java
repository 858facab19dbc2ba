package org.tuneless.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.tuneless.optim.Optimizers;
import org.tuneless.run.LocalExecutor;
import org.tuneless.run.RunSpec;
import org.tuneless.run.Trial;
import org.tuneless.run.TrialResult;

/**
 * A real standalone Spark cluster on this machine — a master and two workers, each a separate JVM started by
 * {@link LocalCluster} — runs a 12-trial sweep with the numbers of a local run, and still delivers every trial exactly
 * once when one worker JVM is killed (SIGKILL, by its pid) in the middle of the sweep.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterTest {

    @TempDir static Path dir;
    static LocalCluster cluster;
    static SparkExecutor spark;
    static List<TrialResult> local;

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @BeforeAll static void start() throws Exception {
        // the test JVM's own classpath (surefire's manifest-only jar hides it from java.class.path)
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        var o = new LocalCluster.Options(2, 1, "1g", "127.0.0.1", freePort(), freePort(), dir, cp, null, Duration.ofSeconds(90));
        cluster = LocalCluster.start(o);
        spark = new SparkExecutor(cluster.masterUrl(), Map.of("spark.executor.memory", "768m")).warmUp();
        local = new LocalExecutor(2).run(sweep(), null);
    }

    @AfterAll static void stop() {
        if (spark != null) spark.close();
        if (cluster != null) cluster.close();
    }

    /**
     * 12 trials: MLP 784-16-10 on 256 embedded Fashion-MNIST images, Adam at 3 learning rates × 4 seeds, 40 steps each,
     * in float32: the executors take the fused kernels (tensor.Kernels) as this JVM does — Spark 4 starts executor JVMs
     * with {@code --add-modules=jdk.incubator.vector}, and this module's test JVM gets it from the surefire argLine —
     * so the numbers are bit-identical only if both sides take the same elementwise path.
     */
    static List<Trial> sweep() {
        RunSpec img = RunSpec.fromJson("""
                {"model": {"name": "mlp", "widths": [784, 16, 10]}, "data": {"name": "fashion-mnist", "subset": 256, "source": "embedded"},
                 "loss": {"name": "ce"}, "batch": 32, "steps": 40, "evaluation": {"every": 20, "splits": ["test"], "subset": 128}}""");
        List<Trial> out = new ArrayList<>();
        for (double lr : new double[]{1e-3, 3e-3, 1e-2}) {
            for (long seed = 0; seed < 4; seed++) {
                out.add(new Trial("lr=" + lr + "/seed=" + seed, img.withOptimizer(Optimizers.CATALOG.spec("adam", Map.of("lr", lr))).withSeed(seed)));
            }
        }
        return out;
    }

    static void assertEachTrialOnceAndAsLocal(List<TrialResult> streamed, List<TrialResult> awaited) {
        assertEquals(12, streamed.size(), "one streamed result per trial");
        Map<String, Long> counts = streamed.stream().collect(Collectors.groupingBy(TrialResult::id, Collectors.counting()));
        assertEquals(sweep().stream().map(Trial::id).collect(Collectors.toSet()), counts.keySet());
        assertTrue(counts.values().stream().allMatch(c -> c == 1), "every trial id exactly once: " + counts);
        assertEquals(sweep().stream().map(Trial::id).toList(), awaited.stream().map(TrialResult::id).toList());
        for (TrialResult r : awaited) assertEquals("COMPLETED", r.status(), r.id() + ": " + r.message());
        assertEquals(SparkExecutorTest.table(local), SparkExecutorTest.table(awaited), "bit-identical to LocalExecutor(2)");
        assertEquals(SparkExecutorTest.table(awaited), SparkExecutorTest.table(streamed));
    }

    @Test @Order(1) void aTwelveTrialSweepOnTheClusterGivesTheLocalNumbers() throws Exception {
        assertEquals(2, cluster.aliveWorkers());
        List<TrialResult> streamed = Collections.synchronizedList(new ArrayList<>());
        List<TrialResult> rs = spark.run(sweep(), streamed::add);
        assertEachTrialOnceAndAsLocal(streamed, rs);
        // the trials ran in executor JVMs of both workers (each has its application's executor directory), not here
        for (int k = 1; k <= 2; k++) {
            try (var apps = Files.list(dir.resolve("work").resolve("worker-" + k))) {
                assertEquals(1, apps.filter(a -> a.getFileName().toString().startsWith("app-")).count(), "worker-" + k + " ran an executor");
            }
        }
    }

    @Test @Order(2) void killingAWorkerMidSweepStillGivesEveryTrialExactlyOnce() throws Exception {
        List<TrialResult> streamed = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch first = new CountDownLatch(1);
        int failedBefore = spark.failedAttempts();
        var execution = spark.start(sweep(), r -> {
            streamed.add(r);
            first.countDown();
        });
        assertTrue(first.await(120, TimeUnit.SECONDS), "a first result");
        // both executors busy (one trial each), then one worker JVM dies with the trial it runs
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (spark.running() < 2 && System.nanoTime() < until) Thread.sleep(5);
        // (the driver may briefly count 3: a task's start event can arrive before the end event of the one it replaced)
        int running = spark.running();
        assertTrue(running >= 2, "two trials running when the worker is killed: " + running);
        ProcessHandle victim = cluster.workers().get(0);
        victim.destroyForcibly();
        assertTrue(victim.onExit().get(10, TimeUnit.SECONDS) != null && !victim.isAlive());
        List<TrialResult> rs = execution.await();
        assertTrue(spark.failedAttempts() > failedBefore, "the killed worker's running task failed and was retried");
        assertEachTrialOnceAndAsLocal(streamed, rs);
        assertFalse(rs.stream().anyMatch(r -> r.status().equals(TrialResult.FAILED)));
    }

    @Test @Order(3) void aSecondClusterInTheSameDirectoryIsRefused() {
        var again = LocalCluster.Options.defaults(dir);
        var e = assertThrows(IllegalStateException.class, () -> LocalCluster.start(again));
        assertTrue(e.getMessage().contains("already running") && e.getMessage().contains("cluster stop"), e.getMessage());
        assertEquals(cluster.masterUrl(), LocalCluster.attach(dir).orElseThrow().masterUrl());
    }

    @Test void aBusyPortIsNamed() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            Path other = Files.createTempDirectory(dir, "other");
            var o = LocalCluster.Options.defaults(other).withPorts(s.getLocalPort(), freePort());
            var e = assertThrows(IllegalStateException.class, () -> LocalCluster.start(o));
            assertTrue(e.getMessage().contains("port " + s.getLocalPort() + " (the master's port)") && e.getMessage().contains("--port"), e.getMessage());
        }
    }
}
