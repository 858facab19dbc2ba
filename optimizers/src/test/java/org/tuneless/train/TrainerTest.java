package org.tuneless.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Batch;
import org.tuneless.nn.Init;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.objective.Quadratic;
import org.tuneless.optim.Optimizer;
import org.tuneless.optim.OptimizerState;
import org.tuneless.optim.StepContext;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.optim.StepResult;
import org.tuneless.tensor.Vectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class TrainerTest {

    /** Plain gradient descent, local to this test so the trainer is tested on its own. */
    static Optimizer gd(double lr) {
        return new Optimizer() {
            @Override public String name() { return "gd(lr=" + lr + ")"; }

            @Override public OptimizerState init(ParameterLayout layout, DataType type) { return new OptimizerState(layout, type); }

            @Override public StepResult step(StepContext ctx, OptimizerState state) {
                Vectors.axpy(-lr, ctx.gradient(), ctx.parameters());
                return new StepResult(lr, Map.of("test.diag", 1.0));
            }
        };
    }

    static Batch blobs(int n, long seed) {
        java.util.Random rng = new java.util.Random(seed);
        double[][] x = new double[n][4];
        double[][] t = new double[n][3];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            for (int j = 0; j < 4; j++) x[i][j] = rng.nextGaussian() * 0.5 + (j == c ? 2 : 0);
            t[i][c] = 1;
        }
        return new Batch(Nd4j.createFromArray(x).castTo(DataType.FLOAT), Nd4j.createFromArray(t).castTo(DataType.FLOAT));
    }

    static Network net(long seed) {
        return Models.mlpBuilder(Models.Activation.RELU, true, Init.HE, 4, 8, 3).build(DataType.FLOAT, seed);
    }

    /**
     * CDAT's uᵀHu reuses the gradient pass's forward activations (from its second step on: the trainer keeps a pass for
     * an optimizer that asked for a uᵀHu in its last step): one forward pass per step instead of two, and the same
     * learning rates and losses bit for bit as with the reuse off.
     */
    @Test void cdatsCurvatureReusesTheGradientPassWithTheSameNumbers() {
        Batch train = blobs(60, 1);
        long[] passes = new long[2];
        List<List<double[]>> histories = new ArrayList<>();
        for (boolean reuse : new boolean[]{false, true}) {
            String was = System.getProperty("tuneless.curvature.reuseGradientPass");
            System.setProperty("tuneless.curvature.reuseGradientPass", String.valueOf(reuse));
            try {
                Network n = net(3);
                TrainingRun run = Trainer.builder().network(n).loss(new SoftmaxCrossEntropy()).fullBatch(train)
                        .optimizer(new org.tuneless.optim.tuner.Cdat(new org.tuneless.optim.Sgd(1.0), 2.0)).steps(12).build().run();
                assertEquals(TrainingStatus.COMPLETED, run.status());
                passes[reuse ? 1 : 0] = n.forwardPasses();
                histories.add(run.history().stream().map(r -> new double[]{r.loss(), r.learningRate()}).toList());
            } finally {
                if (was == null) System.clearProperty("tuneless.curvature.reuseGradientPass"); else System.setProperty("tuneless.curvature.reuseGradientPass", was);
            }
        }
        for (int i = 0; i < 12; i++) {
            assertArrayEquals(histories.get(0).get(i), histories.get(1).get(i), 0.0, "step " + i + ": loss and learning rate");
        }
        assertTrue(histories.get(1).get(3)[1] > 0, "CDAT took steps");
        // without reuse every step runs a gradient and a uᵀHu forward; with it only the first step does
        assertEquals(11, passes[0] - passes[1], "forward passes without / with the reuse: " + passes[0] + " / " + passes[1]);
    }

    @Test void fullBatchTrainingRecordsEveryStepAndEvaluatesOnSchedule() {
        Batch train = blobs(60, 1);
        TrainingRun run = Trainer.builder().network(net(0)).loss(new SoftmaxCrossEntropy()).fullBatch(train)
                .evaluateOn("train", train).evaluateOn("test", blobs(30, 2))
                .optimizer(gd(0.5)).steps(40).evaluateEvery(10).build().run();
        assertEquals(TrainingStatus.COMPLETED, run.status());
        assertEquals(40, run.history().size());
        assertEquals(0.5, run.history().get(7).learningRate());
        assertTrue(run.finalLoss() < run.history().get(0).loss() / 3, "loss fell from " + run.history().get(0).loss() + " to " + run.finalLoss());
        assertEquals(List.of(10L, 20L, 30L, 40L), run.evaluations("test").stream().map(EvaluationRecord::step).toList());
        assertTrue(run.lastEvaluation("test").orElseThrow().accuracy() > 0.9);
        assertEquals(1.0, run.history().get(3).metric("test.diag"));
        assertTrue(run.columns().containsAll(List.of("step", "loss", "lr", "grad_norm", "update_norm", "test.diag")));
    }

    @Test void evaluationsDuringTrainingUseTheirOwnSetAndTheFinalOneTheWholeSplit() {
        Batch train = blobs(60, 1), test = blobs(40, 2);
        Batch first10 = new Batch(test.inputs().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 10)).dup(),
                test.targets().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 10)).dup());
        Network n = net(0);
        TrainingRun run = Trainer.builder().network(n).loss(new SoftmaxCrossEntropy()).fullBatch(train)
                .evaluateOn("test", test, first10).optimizer(gd(0.5)).steps(20).evaluateEvery(10).build().run();
        List<EvaluationRecord> evs = run.evaluations("test");
        assertEquals(List.of(10L, 20L), evs.stream().map(EvaluationRecord::step).toList());
        // the final evaluation (step 20) is on all 40 examples, not the 10 of the periodic set
        Evaluator.Result whole = Evaluator.evaluate(n, new SoftmaxCrossEntropy(), test);
        Evaluator.Result part = Evaluator.evaluate(n, new SoftmaxCrossEntropy(), first10);
        assertNotEquals(whole.loss(), part.loss());
        assertEquals(whole.loss(), evs.get(1).loss(), 1e-6);
        assertEquals(whole.accuracy(), evs.get(1).accuracy());
        // the step-10 evaluation was on the 10-example set: its accuracy is a multiple of 1/10
        double acc10 = evs.get(0).accuracy() * 10;
        assertEquals(Math.rint(acc10), acc10, 1e-9, "accuracy " + evs.get(0).accuracy() + " on 10 examples");
        // and equals the same run re-evaluated on that set at step 10
        Network m = net(0);
        TrainingRun ten = Trainer.builder().network(m).loss(new SoftmaxCrossEntropy()).fullBatch(train)
                .evaluateOn("test", first10).optimizer(gd(0.5)).steps(10).build().run();
        assertEquals(ten.lastEvaluation("test").orElseThrow().loss(), evs.get(0).loss(), 0.0);
    }

    @Test void chunkedEvaluationOfAViewEqualsTheWholeBatchLoss() {
        org.tuneless.nn.Network net = org.tuneless.nn.Models.mlpBuilder(org.tuneless.nn.Models.Activation.TANH, true, org.tuneless.nn.Init.GLOROT, 5, 4, 3)
                .build(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 1);
        Batch all = org.tuneless.nn.NetworkObjectiveTesting.batch(2600, 5, 3, 4);
        org.nd4j.linalg.indexing.INDArrayIndex rows = org.nd4j.linalg.indexing.NDArrayIndex.interval(100, 2600);
        Batch view = new Batch(all.inputs().get(rows), all.targets().get(rows));
        Batch copy = new Batch(view.inputs().dup(), view.targets().dup());
        double whole = net.loss(new SoftmaxCrossEntropy(), copy);
        Evaluator.Result r = Evaluator.evaluate(net, new SoftmaxCrossEntropy(), view);
        assertEquals(whole, r.loss(), 1e-12, "three chunks of a view (from 100) must give the whole-batch loss");
        assertEquals(Evaluator.evaluate(net, new SoftmaxCrossEntropy(), copy).accuracy(), r.accuracy(), 0.0);
    }

    @Test void evaluationChunksAreBoundedByBytesAndGiveTheSameResult() {
        org.tuneless.nn.Network net = org.tuneless.nn.Models.mlpBuilder(org.tuneless.nn.Models.Activation.TANH, true, org.tuneless.nn.Init.GLOROT, 5, 64, 3)
                .build(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 1);
        // a budget below one row's pass still evaluates (one row at a time); a large budget is capped at CHUNK rows
        assertEquals(1, net.predictRows(1, Evaluator.CHUNK));
        assertEquals(Evaluator.CHUNK, net.predictRows(Long.MAX_VALUE / 4, Evaluator.CHUNK));
        // rows grow with the budget, and a pass of that many rows fits it
        long small = net.predictRows(64 << 10, Evaluator.CHUNK), large = net.predictRows(256 << 10, Evaluator.CHUNK);
        assertTrue(small > 1 && small < large && large < Evaluator.CHUNK, small + " rows in 64 kB, " + large + " in 256 kB");
        net.predict(org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, large, 5));
        long used = org.tuneless.tensor.Workspaces.lastPassBytes("predict");
        assertTrue(used <= 256 << 10, "a " + large + "-row predict pass took " + used + " bytes, over the 256 kB budget");
        Batch all = org.tuneless.nn.NetworkObjectiveTesting.batch(700, 5, 3, 4);
        Evaluator.Result whole = Evaluator.evaluate(net, new SoftmaxCrossEntropy(), all, Long.MAX_VALUE / 4);
        Evaluator.Result chunked = Evaluator.evaluate(net, new SoftmaxCrossEntropy(), all, 64 << 10);
        assertEquals(whole.loss(), chunked.loss(), 1e-12);
        assertEquals(whole.accuracy(), chunked.accuracy(), 0.0);
    }

    @Test void sameSeedGivesTheSameNumbers() {
        double[] a = Trainer.builder().network(net(3)).fullBatch(blobs(30, 1)).optimizer(gd(0.3)).steps(15).build().run().series("loss");
        double[] b = Trainer.builder().network(net(3)).fullBatch(blobs(30, 1)).optimizer(gd(0.3)).steps(15).build().run().series("loss");
        double[] c = Trainer.builder().network(net(4)).fullBatch(blobs(30, 1)).optimizer(gd(0.3)).steps(15).build().run().series("loss");
        assertTrue(java.util.Arrays.equals(a, b));
        assertFalse(java.util.Arrays.equals(a, c));
    }

    @Test void divergenceStopsWithStatusAndKeepsLastFiniteParametersAndHistory() {
        // GD with lr = 0.5 on f = ½(w₁² + 10 w₂²): the w₂ factor is (1 − 5) = −4 per step, so the loss overflows.
        Quadratic q = Quadratic.diagonal(new double[]{1, 10}, 1, 1).as(DataType.FLOAT);
        // the loss-growth rule is off here: this test is about the non-finite path
        TrainingRun run = Trainer.builder().objective(q).optimizer(gd(0.5)).steps(1000).divergence(Double.POSITIVE_INFINITY, 1).build().run();
        assertEquals(TrainingStatus.DIVERGED, run.status());
        assertTrue(run.stoppedAtStep() > 10 && run.stoppedAtStep() < 1000);
        assertEquals(run.stoppedAtStep(), run.history().size());
        assertTrue(run.statusMessage().contains("step " + run.stoppedAtStep()), run.statusMessage());
        INDArray w = run.finalParameters();
        assertTrue(Double.isFinite(Vectors.norm(w)));
        assertTrue(Double.isFinite(run.finalLoss()));
        double lastRecordedLoss = run.history().get(run.history().size() - 1).loss();
        assertEquals(lastRecordedLoss, run.finalLoss(), 1e-6 * lastRecordedLoss, "parameters are those of the last recorded step");
    }

    @Test void pluginsAddMetricsAndCanStopTheRun() {
        TrainerPlugin everyThird = new TrainerPlugin() {
            @Override public void beforeUpdate(TrainingContext c, Map<String, Double> m) {
                if (c.step() % 3 == 0) m.put("probe", (double) c.step());
            }

            @Override public void afterUpdate(TrainingContext c, Map<String, Double> m) {
                m.put("update_check", Vectors.norm(c.update()));
                if (c.step() == 7) c.requestStop("enough");
            }
        };
        TrainingRun run = Trainer.builder().objective(Quadratic.diagonal(new double[]{1, 10}, 1, 1)).optimizer(gd(0.05))
                .install(everyThird).steps(100).build().run();
        assertEquals(TrainingStatus.STOPPED, run.status());
        assertEquals(8, run.history().size());
        assertEquals(6.0, run.history().get(6).metric("probe"));
        assertTrue(Double.isNaN(run.history().get(5).metric("probe")));
        assertEquals(run.history().get(4).updateNorm(), run.history().get(4).metric("update_check"), 1e-12);
    }

    @Test void exportsCsvJsonLinesAndRunJson(@TempDir Path dir) throws IOException {
        TrainerPlugin sparse = new TrainerPlugin() {
            @Override public void beforeUpdate(TrainingContext c, Map<String, Double> m) {
                if (c.step() == 2) m.put("sharpness", 12.5);
            }
        };
        Batch train = blobs(30, 5);
        TrainingRun run = Trainer.builder().network(net(1)).fullBatch(train).evaluateOn("test", train).optimizer(gd(0.1))
                .install(sparse).steps(5).config("model", "mlp:4-8-3").build().run();
        run.writeTo(dir);
        try (Reader r = Files.newBufferedReader(dir.resolve("metrics.csv"));
             CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            List<CSVRecord> rows = csv.getRecords();
            assertEquals(5, rows.size());
            assertTrue(csv.getHeaderNames().containsAll(List.of("step", "loss", "lr", "sharpness")));
            assertEquals("", rows.get(1).get("sharpness"));
            assertEquals(12.5, Double.parseDouble(rows.get(2).get("sharpness")));
            assertEquals(run.history().get(3).loss(), Double.parseDouble(rows.get(3).get("loss")), 0);
        }
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertEquals(5, lines.size());
        ObjectMapper m = new ObjectMapper();
        assertEquals(2, m.readTree(lines.get(2)).get("step").asLong());
        assertFalse(m.readTree(lines.get(1)).has("sharpness"));
        JsonNode meta = m.readTree(dir.resolve("run.json").toFile());
        assertEquals("COMPLETED", meta.get("status").asText());
        assertEquals("mlp:4-8-3", meta.get("config").get("model").asText());
        assertEquals(5, meta.get("config").get("steps").asLong());
        assertTrue(meta.get("last_evaluation").has("test"));
    }

    @Test void aLossThatStaysFarAboveItsStartIsDivergedEvenWhileFinite() {
        // GD at η·λ = 2.1 on the stiff direction: the loss grows 1.21× a step and never becomes NaN within the budget
        Quadratic q = Quadratic.diagonal(new double[]{1, 10}, 1, 1);
        TrainingRun run = Trainer.builder().objective(q).optimizer(gd(0.21)).steps(60).build().run();
        assertEquals(TrainingStatus.DIVERGED, run.status(), run.statusMessage());
        assertTrue(run.statusMessage().startsWith("the loss stayed above 10× its first value (5.500) for 20 steps"), run.statusMessage());
        double first = run.history().get(0).loss();
        long above = run.history().stream().filter(r -> r.loss() > 10 * first).count();
        assertEquals(20, above, "stopped at the 20th step above 10× the first loss");
        assertTrue(run.history().stream().allMatch(r -> Double.isFinite(r.loss())));
        TrainingRun off = Trainer.builder().objective(q).optimizer(gd(0.21)).steps(60).divergence(Double.POSITIVE_INFINITY, 1).build().run();
        assertEquals(TrainingStatus.COMPLETED, off.status(), "the rule can be turned off");
        assertEquals(60, off.history().size());
    }

    @Test void divergenceRelativeToTheBestLossCatchesARunThatClimbsBackFromALowPoint() {
        // 30 GD steps bring the loss of f = ½(w₁² + 10 w₂²) down by orders of magnitude; then every step scales w by 1.3
        // (loss × 1.69): far above 10× its best after a few steps, but still below 10× its first loss for many more
        Optimizer climbsBack = new Optimizer() {
            @Override public String name() { return "climbs-back"; }

            @Override public OptimizerState init(ParameterLayout layout, DataType type) { return new OptimizerState(layout, type); }

            @Override public StepResult step(StepContext ctx, OptimizerState state) {
                if (ctx.step() < 30) Vectors.axpy(-0.09, ctx.gradient(), ctx.parameters());
                else ctx.parameters().muli(1.3);
                return new StepResult(0.09, Map.of());
            }
        };
        Quadratic q = Quadratic.diagonal(new double[]{1, 10}, 1, 1);
        TrainingRun first = Trainer.builder().objective(q).optimizer(climbsBack).steps(45).divergence(10, 5).build().run();
        assertEquals(TrainingStatus.COMPLETED, first.status(), first.statusMessage());
        TrainingRun best = Trainer.builder().objective(q).optimizer(climbsBack).steps(45).divergence(10, 5, true).build().run();
        assertEquals(TrainingStatus.DIVERGED, best.status());
        assertTrue(best.statusMessage().startsWith("the loss stayed above 10× its best value so far"), best.statusMessage());
        double bestLoss = best.history().stream().mapToDouble(StepRecord::loss).min().orElseThrow();
        StepRecord last = best.history().get(best.history().size() - 1);
        assertTrue(last.loss() > 10 * bestLoss && last.loss() < 10 * best.history().get(0).loss(), "diverged relative to the best, not the first");
        // the five steps above the limit: steps 30 + k with 1.69^k > 10 first holds at k = 5 (1.69^5 ≈ 13.8)
        assertEquals(39, best.stoppedAtStep());
    }

    @Test void aStepThatThrowsKeepsTheHistoryFilesAndLastCompleteParameters(@TempDir Path dir) throws IOException {
        Optimizer breaks = new Optimizer() {
            @Override public String name() { return "breaks-at-5"; }

            @Override public OptimizerState init(ParameterLayout layout, DataType type) { return new OptimizerState(layout, type); }

            @Override public StepResult step(StepContext ctx, OptimizerState state) {
                Vectors.axpy(-0.05, ctx.gradient(), ctx.parameters());
                if (ctx.step() == 5) throw new IllegalArgumentException("a bug in the optimizer");  // after moving the parameters
                return new StepResult(0.05, Map.of());
            }
        };
        Quadratic q = Quadratic.diagonal(new double[]{1, 10}, 1, 1);
        TrainingFailedException e = org.junit.jupiter.api.Assertions.assertThrows(TrainingFailedException.class,
                () -> Trainer.builder().objective(q).optimizer(breaks).steps(20).outputTo(dir).build().run());
        assertEquals("a bug in the optimizer", e.getCause().getMessage());
        assertEquals(5, e.step());
        TrainingRun partial = e.run();
        assertEquals(TrainingStatus.FAILED, partial.status());
        assertEquals(5, partial.history().size(), "steps 0-4 completed");
        assertTrue(partial.statusMessage().startsWith("step 5 failed: a bug in the optimizer; parameters restored"), partial.statusMessage());
        TrainingRun fiveSteps = Trainer.builder().objective(Quadratic.diagonal(new double[]{1, 10}, 1, 1)).optimizer(gd(0.05)).steps(5).build().run();
        assertEquals(fiveSteps.finalParameters(), partial.finalParameters(), "the half-done step 5 was undone");
        JsonNode runJson = new ObjectMapper().readTree(dir.resolve("run.json").toFile());
        assertEquals("FAILED", runJson.get("status").asText());
        assertEquals(6, Files.readAllLines(dir.resolve("metrics.csv")).size(), "header + 5 steps on disk");
    }

    @SuppressWarnings({"deprecation", "removal"})
    @Test void aThreadStoppedMidRunAsTheNotebookKernelDoesKeepsThePartialRun(@TempDir Path dir) throws Exception {
        // the Kotlin kernel interrupts a cell with Thread.stop(): ThreadDeath at an arbitrary point of a step
        TrainingRun[] seen = new TrainingRun[1];
        TrainerPlugin observer = new TrainerPlugin() {
            @Override public void onFinish(TrainingContext c, TrainingRun run) { seen[0] = run; }
        };
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(30);
        TrainerPlugin counter = new TrainerPlugin() {
            @Override public void onStep(TrainingContext c, StepRecord r) { running.countDown(); }
        };
        Throwable[] ended = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                Trainer.builder().objective(Quadratic.diagonal(new double[]{1, 10}, 1, 1)).optimizer(gd(0.01)).steps(50_000_000)
                        .outputTo(dir).install(counter).install(observer).build().run();
            } catch (Throwable e) {
                ended[0] = e;
            }
        });
        t.start();
        assertTrue(running.await(60, java.util.concurrent.TimeUnit.SECONDS));
        t.stop();
        t.join(60_000);
        assertTrue(ended[0] instanceof ThreadDeath, "the kernel's ThreadDeath goes on: " + ended[0]);
        TrainingRun partial = seen[0];
        assertEquals(TrainingStatus.INTERRUPTED, partial.status());
        assertTrue(partial.statusMessage().startsWith("interrupted during step " + partial.stoppedAtStep() + " (notebook interrupt)"), partial.statusMessage());
        assertTrue(partial.stepsRecorded() >= 30 && partial.stepsRecorded() <= partial.stoppedAtStep() + 1);
        assertEquals("INTERRUPTED", new ObjectMapper().readTree(dir.resolve("run.json").toFile()).get("status").asText());
        assertTrue(Files.readAllLines(dir.resolve("metrics.csv")).size() >= 31, "the complete steps are on disk");
        assertTrue(Double.isFinite(Vectors.norm(partial.finalParameters())));
    }

    @Test void aNegativeLearningRateIsDivergedAndItsStepUndone() {
        Optimizer uphill = new Optimizer() {
            @Override public String name() { return "uphill"; }

            @Override public OptimizerState init(ParameterLayout layout, DataType type) { return new OptimizerState(layout, type); }

            @Override public StepResult step(StepContext ctx, OptimizerState state) {
                double lr = ctx.step() < 3 ? 0.05 : -0.05;
                Vectors.axpy(-lr, ctx.gradient(), ctx.parameters());
                return new StepResult(lr, Map.of());
            }
        };
        TrainingRun run = Trainer.builder().objective(Quadratic.diagonal(new double[]{1, 10}, 1, 1)).optimizer(uphill).steps(10).build().run();
        assertEquals(TrainingStatus.DIVERGED, run.status());
        assertEquals("the learning rate at step 3 was -0.05 (negative: the step would go uphill); parameters restored to those before it",
                run.statusMessage());
        TrainingRun three = Trainer.builder().objective(Quadratic.diagonal(new double[]{1, 10}, 1, 1)).optimizer(gd(0.05)).steps(3).build().run();
        assertEquals(0, three.finalParameters().sub(run.finalParameters()).norm2Number().doubleValue(), "the uphill step was undone");
    }
}
