package org.tuneless.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tuneless.objective.Quadratic;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The in-memory history is bounded (thinned to every 2nd, 4th, … step); the run files keep every step; resume is exact. */
class BoundedHistoryTest {

    static StepRecord rec(long step, double loss) { return new StepRecord(step, 0, loss, 0.1, 1, 1, step, Map.of()); }

    @Test void thinningKeepsEvenlySpacedStepsTheFirstAndTheLatest() {
        BoundedHistory h = new BoundedHistory(8);
        for (int i = 0; i < 8; i++) h.add(rec(i, 10 - i));
        assertEquals(1, h.stride());
        h.add(rec(8, 1));                       // 9 > 8 records: keep 0, 2, 4, 6, 8
        assertEquals(2, h.stride());
        assertEquals(List.of(0L, 2L, 4L, 6L, 8L), h.view().stream().map(StepRecord::step).toList());
        h.add(rec(9, 5));                       // off the stride: the latest, kept as the tail
        assertEquals(List.of(0L, 2L, 4L, 6L, 8L, 9L), h.view().stream().map(StepRecord::step).toList());
        for (int i = 10; i <= 100; i++) h.add(rec(i, 50 + i));
        List<StepRecord> v = h.view();
        assertTrue(v.size() <= 9, "at most limit + the latest: " + v.size());
        assertEquals(0, v.get(0).step());
        assertEquals(100, v.get(v.size() - 1).step(), "the latest step is always there");
        long stride = h.stride();
        assertEquals(16, stride);
        for (int i = 0; i < v.size() - 1; i++) assertEquals(i * stride, v.get(i).step(), "evenly spaced");
        assertEquals(101, h.added());
        assertEquals(1.0, h.best(), "the best loss is exact over every step (step 8's 1.0 is no longer in memory)");
        // a restored history continues exactly as the original
        BoundedHistory r = new BoundedHistory(8);
        r.restore(v, stride, h.added(), h.best());
        for (int i = 101; i < 300; i++) {
            h.add(rec(i, i));
            r.add(rec(i, i));
        }
        assertEquals(h.view(), r.view());
        assertEquals(h.stride(), r.stride());
    }

    @Test void aLongRunKeepsBoundedMemoryAndCompleteFilesAndResumesExactly(@TempDir Path dir) throws IOException {
        Quadratic q = Quadratic.diagonal(new double[]{1, 10}, 1, 1);
        TrainingRun full = Trainer.builder().objective(q).optimizer(TrainerTest.gd(0.02)).steps(200).historyLimit(16)
                .outputTo(dir.resolve("full")).build().run();
        assertEquals(200, full.stepsRecorded());
        assertTrue(full.history().size() <= 17, "bounded: " + full.history().size());
        assertEquals(16, full.historyStride());
        assertTrue(full.summary().contains("COMPLETED after 200 steps"), full.summary());
        List<String> csv = Files.readAllLines(dir.resolve("full/metrics.csv"));
        assertEquals(201, csv.size(), "metrics.csv has every step");
        List<StepRecord> disk = RunFiles.readJsonl(dir.resolve("full/metrics.jsonl"));
        assertEquals(200, disk.size());
        assertEquals(disk.stream().mapToDouble(StepRecord::loss).min().orElseThrow(), full.bestLoss(), "best over every step");
        for (StepRecord r : full.history()) assertEquals(r.loss(), disk.get((int) r.step()).loss(), "memory agrees with disk at step " + r.step());
        var meta = new ObjectMapper().readTree(dir.resolve("full/run.json").toFile());
        assertEquals(200, meta.get("steps_recorded").asInt());
        assertTrue(meta.get("history_in_memory").asText().startsWith("every 16th step"), meta.toString());

        // interrupted at step 130 (checkpoint), resumed: same memory, same files (time aside), same parameters
        Path part = dir.resolve("part");
        int[] calls = {0};
        TrainingRun stopped = Trainer.builder().objective(Quadratic.diagonal(new double[]{1, 10}, 1, 1)).optimizer(TrainerTest.gd(0.02)).steps(200)
                .historyLimit(16).outputTo(part).checkpoints(new Trainer.CheckpointPolicy(part.resolve("checkpoints"), 0, 2, false))
                .interruptWhen(() -> ++calls[0] == 130).build().run();
        assertEquals(TrainingStatus.INTERRUPTED, stopped.status());
        Checkpoint c = Checkpoint.newest(part);
        assertEquals(130, c.step());
        TrainingRun resumed = Trainer.builder().objective(Quadratic.diagonal(new double[]{1, 10}, 1, 1)).optimizer(TrainerTest.gd(0.02)).steps(200)
                .historyLimit(16).outputTo(part).resume(c).build().run();
        assertEquals(full.history().stream().map(r -> r.step() + ":" + r.loss()).toList(), resumed.history().stream().map(r -> r.step() + ":" + r.loss()).toList());
        assertEquals(full.historyStride(), resumed.historyStride());
        assertEquals(full.bestLoss(), resumed.bestLoss());
        assertEquals(full.finalParameters(), resumed.finalParameters());
        List<StepRecord> resumedDisk = RunFiles.readJsonl(part.resolve("metrics.jsonl"));
        assertEquals(200, resumedDisk.size(), "the resumed run's files have every step, the earlier ones taken from disk");
        for (int i = 0; i < 200; i++) assertEquals(disk.get(i).loss(), resumedDisk.get(i).loss(), "step " + i);
        assertEquals(201, Files.readAllLines(part.resolve("metrics.csv")).size());
    }
}
