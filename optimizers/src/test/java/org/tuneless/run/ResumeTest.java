package org.tuneless.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tuneless.optim.Optimizers;
import org.tuneless.train.Checkpoint;
import org.tuneless.train.StepRecord;
import org.tuneless.train.Trainer;
import org.tuneless.train.TrainingRun;
import org.tuneless.train.TrainingStatus;

/**
 * Exact resume: a run checkpointed after 3 of 6 steps and continued in fresh objects (network, optimizer, data stream,
 * trackers rebuilt from the spec, state read back from the files) gives the same losses, learning rates, metrics and
 * final parameters, bit for bit, as the uninterrupted run — for every optimizer of the catalog at its defaults, with
 * curvature tracking, and in float32.
 */
class ResumeTest {

    static final int STEPS = 6, AT = 3;

    @TempDir Path dir;

    static RunSpec spec(String optimizer, String dtype) {
        return RunSpec.defaults().withModel(Catalogs.MODELS.spec("mlp", Map.of("widths", List.of(16, 8, 1))))
                .withData(Catalogs.DATA.spec("teacher-student", Map.of("samples", 48, "seed", 3))).withLoss(Catalogs.LOSSES.spec("mse"))
                .withOptimizer(Optimizers.CATALOG.spec(optimizer)).withSteps(STEPS).withBatch(RunSpec.Batch.of(20)).withDtype(dtype)
                .withEvaluation(new RunSpec.Evaluation(2, List.of("test")));
    }

    static Stream<String> optimizers() { return Optimizers.names().stream(); }

    /** Runs {@code spec} uninterrupted with a checkpoint every {@link #AT} steps, then resumes the one at {@link #AT} and compares. */
    void resumesExactly(RunSpec spec, Path out) throws IOException {
        Run.Persistence keep = new Run.Persistence(null, new Trainer.CheckpointPolicy(out, AT, 5, false), null, null);
        TrainingRun full = Run.start(spec, Run.Options.DEFAULT.withPersistence(keep)).run();
        assertEquals(TrainingStatus.COMPLETED, full.status(), full.statusMessage());
        Checkpoint c = Checkpoint.read(out.resolve("step-00000003"));
        assertEquals(AT, c.step());
        assertEquals(AT, c.history().size());
        RunSpec again = Resume.check(c, Resume.savedSpec(c), List.of());
        TrainingRun resumed = Run.start(again, Run.Options.DEFAULT.withPersistence(new Run.Persistence(null, null, c, null))).run();
        String name = spec.optimizer().name() + " " + spec.dtype();
        assertEquals(full.history().size(), resumed.history().size(), name);
        for (int i = 0; i < STEPS; i++) {
            StepRecord a = full.history().get(i), b = resumed.history().get(i);
            assertEquals(Double.doubleToRawLongBits(a.loss()), Double.doubleToRawLongBits(b.loss()), name + ": loss of step " + i + " " + a.loss() + " vs " + b.loss());
            assertEquals(Double.doubleToRawLongBits(a.learningRate()), Double.doubleToRawLongBits(b.learningRate()), name + ": lr of step " + i);
            assertEquals(a.metrics(), b.metrics(), name + ": metrics of step " + i);
            assertEquals(a.epoch(), b.epoch(), name + ": epoch of step " + i);
        }
        assertArrayEquals(full.finalParameters().toDoubleVector(), resumed.finalParameters().toDoubleVector(), name + ": final parameters");
        assertEquals(full.optimizerState(), resumed.optimizerState(), name + ": final optimizer state");
        assertEquals(full.evaluations(), resumed.evaluations(), name + ": evaluations");
    }

    @ParameterizedTest(name = "{0}") @MethodSource("optimizers")
    void everyCatalogOptimizerResumesBitForBit(String optimizer) throws IOException {
        resumesExactly(spec(optimizer, "float64").withEvaluation(RunSpec.Evaluation.every(0).withSplits(List.of())), dir.resolve(optimizer));
    }

    @Test void curvatureTrackingResumesBitForBit() throws IOException {
        RunSpec s = spec("adam", "float64").withTracking(List.of(
                Catalogs.TRACKERS.spec("sharpness", Map.of("every", 2, "maxIterations", 20)),
                Catalogs.TRACKERS.spec("update-curvature", Map.of("every", 1)),
                Catalogs.TRACKERS.spec("preconditioned-sharpness", Map.of("every", 2, "maxIterations", 20))));
        resumesExactly(s, dir.resolve("tracked"));
    }

    @Test void float32ResumesBitForBit() throws IOException {
        resumesExactly(spec("cdat", "float32"), dir.resolve("f32"));
    }

    @Test void keepsTheLastKAndAChangedSpecIsRefusedUnlessOverridden() throws IOException {
        Path out = dir.resolve("keep");
        RunSpec s = spec("sgd", "float64");
        Run.start(s, Run.Options.DEFAULT.withPersistence(new Run.Persistence(null, new Trainer.CheckpointPolicy(out, 1, 2, false), null, null))).run();
        assertEquals(List.of("step-00000005", "step-00000006"), Checkpoint.list(out, false).stream().map(p -> p.getFileName().toString()).toList());
        Checkpoint c = Checkpoint.newest(out);
        assertEquals(6, c.step());
        String m = assertThrows(IllegalArgumentException.class, () -> Resume.check(c, s.withSteps(10).withSeed(4), List.of())).getMessage();
        assertTrue(m.contains("steps (checkpoint 6, now 10)") && m.contains("seed (checkpoint 0, now 4)") && m.contains("--override steps,seed"), m);
        assertEquals(10, Resume.check(c, s.withSteps(10), List.of("steps")).steps());
        // extending a finished run: 4 more steps from the checkpoint at 6
        TrainingRun more = Run.start(s.withSteps(10), Run.Options.DEFAULT.withPersistence(new Run.Persistence(null, null, c, null))).run();
        assertEquals(10, more.history().size());
        TrainingRun straight = s.withSteps(10).run();
        assertArrayEquals(straight.finalParameters().toDoubleVector(), more.finalParameters().toDoubleVector());
        // a checkpoint cut short (no state.json) is skipped for the previous one
        Files.delete(out.resolve("step-00000006").resolve("state.json"));
        assertEquals(5, Checkpoint.newest(out).step());
    }

    @Test void corruptCheckpointsAreRefusedNamingTheFileAndTheField() throws IOException {
        Path out = dir.resolve("corrupt");
        RunSpec s = spec("adam", "float64");
        Run.start(s, Run.Options.DEFAULT.withPersistence(new Run.Persistence(null, new Trainer.CheckpointPolicy(out, 3, 5, false), null, null))).run();
        Path c3 = out.resolve("step-00000003");
        // another optimizer's state: Lion has m but not Adam's v
        Checkpoint c = Checkpoint.read(c3);
        String m = assertThrows(IllegalArgumentException.class,
                () -> Run.start(spec("lion", "float64"), Run.Options.DEFAULT.withPersistence(new Run.Persistence(null, null, c, null))).run()).getMessage();
        assertTrue(m.contains("optimizer.safetensors") && m.contains("tensor"), m);
        // a truncated tensor file
        byte[] opt = Files.readAllBytes(c3.resolve("optimizer.safetensors"));
        Files.write(c3.resolve("optimizer.safetensors"), java.util.Arrays.copyOf(opt, opt.length - 9));
        m = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(c3)).getMessage();
        assertTrue(m.contains("optimizer.safetensors") && m.contains("truncated"), m);
        // a state.json with a field of the wrong type
        Path c6 = out.resolve("step-00000006");
        String json = Files.readString(c6.resolve("state.json"));
        Files.writeString(c6.resolve("state.json"), json.replaceFirst("\"step\" : 6", "\"step\" : \"six\""));
        m = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(c6)).getMessage();
        assertTrue(m.contains("state.json") && m.contains("field 'step'"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Checkpoint.newest(out)).getMessage();
        assertTrue(m.contains("no valid checkpoint") && m.contains("step-00000003") && m.contains("step-00000006"), m);
    }
}
