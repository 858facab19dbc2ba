package org.tuneless.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tuneless.optim.Optimizers;
import org.tuneless.run.LocalExecutor;
import org.tuneless.run.RunSpec;
import org.tuneless.run.Trial;
import org.tuneless.run.TrialResult;

/** An embedded local[2] Spark runs the same trials as the local thread pool, with the same numbers. */
class SparkExecutorTest {

    static SparkExecutor spark;

    @BeforeAll static void start() { spark = new SparkExecutor("local[2]"); }

    @AfterAll static void stop() { spark.close(); }

    /** A small sweep: Adam's lr × 2 seeds on the teacher-student regression and on 256 Fashion-MNIST images, plus a diverging and a failing trial. */
    static List<Trial> sweep() {
        List<Trial> out = new ArrayList<>();
        RunSpec ts = RunSpec.fromJson("""
                {"model": {"name": "mlp", "widths": [16, 16, 1]}, "data": {"name": "teacher-student", "samples": 128},
                 "loss": {"name": "mse"}, "batch": "full", "steps": 20, "evaluation": {"every": 5, "splits": ["test"]}}""");
        RunSpec img = RunSpec.fromJson("""
                {"model": {"name": "mlp", "widths": [784, 16, 10]}, "data": {"name": "fashion-mnist", "subset": 256, "source": "embedded"},
                 "loss": {"name": "ce"}, "batch": 32, "steps": 15, "evaluation": {"every": 5, "splits": ["test"], "subset": 128}}""");
        for (double lr : new double[]{1e-3, 1e-2}) {
            for (long seed : new long[]{0, 1}) {
                out.add(new Trial("ts/lr=" + lr + "/seed=" + seed, ts.withOptimizer(Optimizers.CATALOG.spec("adam", Map.of("lr", lr))).withSeed(seed)));
                out.add(new Trial("img/lr=" + lr + "/seed=" + seed, img.withOptimizer(Optimizers.CATALOG.spec("adam", Map.of("lr", lr))).withSeed(seed)));
            }
        }
        out.add(new Trial("ts/sgd-diverges", ts.withOptimizer(Optimizers.CATALOG.spec("sgd", Map.of("lr", 1e6)))));
        // batch 1000 on 256 images: refused when the run is built, inside the task
        out.add(new Trial("img/bad-batch", img.withBatch(RunSpec.Batch.of(1000))));
        return out;
    }

    /** A result without its wall-clock times (they differ between runs). */
    static String numbers(TrialResult r) {
        StringBuilder b = new StringBuilder(r.id()).append(' ').append(r.status()).append(' ').append(r.steps()).append(' ')
                .append(Double.doubleToLongBits(r.finalLoss())).append(' ').append(Double.doubleToLongBits(r.bestLoss()));
        r.evaluations().forEach(e -> b.append(' ').append(e));
        r.trace().forEach(p -> b.append(' ').append(p.step()).append(':').append(Double.doubleToLongBits(p.learningRate())).append(':')
                .append(Double.doubleToLongBits(p.loss())));
        return b.toString();
    }

    static List<String> table(List<TrialResult> rs) {
        return rs.stream().sorted(Comparator.comparing(TrialResult::id)).map(SparkExecutorTest::numbers).toList();
    }

    @Test void sparkAndTheLocalPoolGiveBitIdenticalResults() throws Exception {
        List<Trial> trials = sweep();
        List<TrialResult> streamed = new ArrayList<>();
        List<TrialResult> onSpark = spark.run(trials, streamed::add);
        List<TrialResult> local = new LocalExecutor(2).run(trials, null);
        assertEquals(trials.size(), onSpark.size());
        assertEquals(table(local), table(onSpark));
        assertEquals(table(onSpark), table(streamed), "every result streamed once");
        assertEquals(trials.stream().map(Trial::id).toList(), onSpark.stream().map(TrialResult::id).toList(), "await() in submission order");
        TrialResult diverged = onSpark.stream().filter(r -> r.id().equals("ts/sgd-diverges")).findFirst().orElseThrow();
        assertEquals("DIVERGED", diverged.status(), diverged.message());
        TrialResult bad = onSpark.stream().filter(r -> r.id().equals("img/bad-batch")).findFirst().orElseThrow();
        assertEquals(TrialResult.FAILED, bad.status());
        assertTrue(bad.message().contains("batch = 1000 exceeds the 256 training examples"), bad.message());
        assertTrue(onSpark.stream().filter(r -> r.id().startsWith("img/lr")).allMatch(r -> r.status().equals("COMPLETED")));
    }

    @Test void trialResultsRoundTripThroughJsonExactly() throws Exception {
        List<TrialResult> rs = new LocalExecutor(1).run(sweep().subList(0, 2), null);
        for (TrialResult r : rs) assertEquals(r, TrialResult.fromJson(r.toJson()));
        TrialResult nan = new TrialResult("x", "{}", "DIVERGED", "", 3, 0.5, Double.NaN, Double.POSITIVE_INFINITY, List.of(), List.of(),
                List.of(new TrialResult.EdgePoint(2, 1.5)));
        assertEquals(nan, TrialResult.fromJson(nan.toJson()));
    }

    @Test void badMastersAndDuplicateIdsAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SparkExecutor("localhost:7077"));
        assertTrue(e.getMessage().contains("valid: local[N], local[*], spark://host:7077"), e.getMessage());
        List<Trial> twice = List.of(sweep().get(0), sweep().get(0));
        var d = assertThrows(IllegalArgumentException.class, () -> spark.start(twice, null));
        assertTrue(d.getMessage().contains("appears twice"), d.getMessage());
    }
}
