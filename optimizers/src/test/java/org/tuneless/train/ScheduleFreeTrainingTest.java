package org.tuneless.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.data.BatchStream;
import org.tuneless.nn.Network;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.objective.Batch;
import org.tuneless.objective.Quadratic;
import org.tuneless.optim.EvaluationPoint;
import org.tuneless.optim.Optimizer;
import org.tuneless.optim.OptimizerState;
import org.tuneless.optim.ScheduleFreeAdamW;
import org.tuneless.optim.ScheduleFreeSgd;

/**
 * The trainer with Schedule-Free (arXiv 2405.15682): evaluations at x, recovered from the live y and the state's z;
 * the trajectory (taken at y) does not depend on how often one evaluates; batch-norm statistics re-estimated at x.
 */
class ScheduleFreeTrainingTest {

    static final String X = "x (schedule-free average)";

    /** Four fixed minibatches of 16, cycled. */
    static BatchStream cycle(List<Batch> batches) {
        return new BatchStream() {
            private long calls;

            @Override public Batch next() { return batches.get((int) (calls++ % batches.size())); }

            @Override public long epoch() { return calls / batches.size(); }
        };
    }

    static List<Batch> batches() {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < 4; i++) out.add(TrainerTest.blobs(16, 10 + i));
        return out;
    }

    static Network bnNet(long seed) {
        return Network.builder(4).dense(8).batchNorm().relu().dropout(0.2, 3).dense(3).build(DataType.FLOAT, seed);
    }

    static TrainingRun run(Network net, Optimizer o, long evaluateEvery, EvaluationMode mode) {
        return Trainer.builder().network(net).loss(new SoftmaxCrossEntropy()).data(cycle(batches()))
                .evaluateOn("test", TrainerTest.blobs(30, 2)).optimizer(o).steps(12).evaluateEvery(evaluateEvery).evaluateAt(mode)
                .build().run();
    }

    static double[] losses(TrainingRun r) { return r.series("loss"); }

    @Test void evaluationsUseXAndDoNotChangeTheTrajectory() {
        TrainingRun every = run(TrainerTest.net(0), new ScheduleFreeAdamW(), 1, EvaluationMode.AVERAGE);
        TrainingRun never = run(TrainerTest.net(0), new ScheduleFreeAdamW(), 0, EvaluationMode.AVERAGE);
        assertEquals(12, every.evaluations("test").size());
        assertEquals(1, never.evaluations("test").size());
        assertArrayEquals(never.series("loss"), every.series("loss"), 0.0, "bit-identical training losses");
        assertArrayEquals(never.finalParameters().toDoubleVector(), every.finalParameters().toDoubleVector(), 0.0, "same final y");
        assertEquals(never.lastEvaluation("test").orElseThrow(), every.lastEvaluation("test").orElseThrow(), "same last evaluation");

        EvaluationRecord last = every.lastEvaluation("test").orElseThrow();
        assertEquals(X, last.point());
        assertEquals(X, every.config().get("evaluation_point"));
        assertTrue(every.config().get("curvature_point").toString().contains("live"));
        // x = lerp(y, z, 1 − 1/β) from the final y and z, and the evaluation is the model's at x
        OptimizerState state = every.optimizerState();
        INDArray y = every.finalParameters();
        Optimizer o = new ScheduleFreeAdamW();
        INDArray x = o.capability(EvaluationPoint.class, state).orElseThrow().evaluationPoint(state, y);
        assertArrayEquals(x.toDoubleVector(), every.evaluationParameters().toDoubleVector(), 0.0);
        assertNotEquals(0.0, x.sub(y).norm2Number().doubleValue(), "x differs from y");
        Network net = every.network().orElseThrow();
        INDArray live = net.parameters().dup();
        net.parameters().assign(x);
        Evaluator.Result atX = Evaluator.evaluate(net, new SoftmaxCrossEntropy(), TrainerTest.blobs(30, 2));
        net.parameters().assign(live);
        Evaluator.Result atY = Evaluator.evaluate(net, new SoftmaxCrossEntropy(), TrainerTest.blobs(30, 2));
        assertEquals(atX.loss(), last.loss(), 0.0, "evaluated at x");
        assertNotEquals(atY.loss(), last.loss(), "not at y");
    }

    @Test void evaluateAtLiveUsesY() {
        TrainingRun live = run(TrainerTest.net(0), new ScheduleFreeAdamW(), 4, EvaluationMode.LIVE);
        TrainingRun avg = run(TrainerTest.net(0), new ScheduleFreeAdamW(), 4, EvaluationMode.AVERAGE);
        assertArrayEquals(avg.series("loss"), live.series("loss"), 0.0);
        assertEquals(EvaluationRecord.LIVE, live.lastEvaluation("test").orElseThrow().point());
        assertEquals(EvaluationRecord.LIVE, live.config().get("evaluation_point"));
        assertArrayEquals(live.finalParameters().toDoubleVector(), live.evaluationParameters().toDoubleVector(), 0.0);
        assertNotEquals(avg.lastEvaluation("test").orElseThrow().loss(), live.lastEvaluation("test").orElseThrow().loss());
    }

    @Test void batchNormStatisticsAreReestimatedAtXWithoutChangingTheTrajectory() {
        TrainingRun every = run(bnNet(1), new ScheduleFreeSgd(0.05, 0.9, 0, 0, 0, 2), 1, EvaluationMode.AVERAGE);
        TrainingRun never = run(bnNet(1), new ScheduleFreeSgd(0.05, 0.9, 0, 0, 0, 2), 0, EvaluationMode.AVERAGE);
        assertArrayEquals(never.series("loss"), every.series("loss"), 0.0, "bit-identical losses (dropout's stream untouched)");
        Network a = every.network().orElseThrow(), b = never.network().orElseThrow();
        for (int i = 0; i < a.buffers().size(); i++) {
            assertArrayEquals(b.buffers().get(i).toDoubleVector(), a.buffers().get(i).toDoubleVector(), 0.0, "live running statistics restored");
        }
        // by hand: a copy at x, statistics from the 12 training batches' inputs (all of them: fewer than 20), then evaluate
        Network atX = a.copy();
        atX.parameters().assign(every.evaluationParameters());
        List<INDArray> inputs = new ArrayList<>();
        List<Batch> bs = batches();
        for (int s = 0; s < 12; s++) inputs.add(bs.get(s % 4).inputs());
        atX.recomputeStatistics(inputs);
        Evaluator.Result r = Evaluator.evaluate(atX, new SoftmaxCrossEntropy(), TrainerTest.blobs(30, 2));
        assertEquals(r.loss(), every.lastEvaluation("test").orElseThrow().loss(), 1e-6);
        assertEquals(X, every.lastEvaluation("test").orElseThrow().point());
        // the running mean is the plain mean of the batch means at x
        assertTrue(atX.buffers().get(0).sub(a.buffers().get(0)).norm2Number().doubleValue() > 0, "statistics at x differ from the live ones");
    }

    @Test void syntheticObjectivesGiveTheirEvaluationPointToo() {
        TrainingRun r = Trainer.builder().objective(Quadratic.diagonal(new double[]{1, 10, 100}, 1, 1, 1))
                .optimizer(new ScheduleFreeSgd(0.01, 0.9, 0, 0, 0, 2)).steps(20).build().run();
        double[] y = r.finalParameters().toDoubleVector(), x = r.evaluationParameters().toDoubleVector();
        double[] z = r.optimizerState().tensor("z").toDoubleVector();
        for (int i = 0; i < 3; i++) assertEquals((y[i] - 0.1 * z[i]) / 0.9, x[i], 1e-15 * Math.abs(x[i]) + 1e-300);
    }
}
