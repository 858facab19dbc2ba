package org.tuneless.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --curvature-batch auto|N}: what it adds to each --track, and a run that records the chosen batch. */
class CurvatureBatchCliTest {

    @Test void theOptionBecomesEachTracksBatchOption() {
        assertEquals("sharpness:every=5,fitMemory=true", TrainCommand.withCurvatureBatch("sharpness:every=5", "auto"));
        assertEquals("sharpness:fitMemory=true", TrainCommand.withCurvatureBatch("sharpness", "auto"));
        assertEquals("elr:subset=64", TrainCommand.withCurvatureBatch("elr", "64"));
        assertEquals("sharpness:subset=8", TrainCommand.withCurvatureBatch("sharpness:subset=8", "64"), "a track's own subset wins");
        assertEquals("sharpness", TrainCommand.withCurvatureBatch("sharpness", null));
        var e = assertThrows(IllegalArgumentException.class, () -> TrainCommand.withCurvatureBatch("sharpness", "half"));
        assertTrue(e.getMessage().contains("auto or a number"), e.getMessage());
    }

    @Test void autoRecordsTheCurvatureBatchItMeasuredOn(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        TunelessCliTest.Result r = TunelessCliTest.run("train", "--model", "mlp:784-16-10", "--data", "fashion-mnist-embedded:256", "--steps", "3",
                "--batch", "32", "--eval-every", "0", "--quiet", "--track", "sharpness:every=1,iters=5", "--curvature-batch", "auto", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out.resolve("metrics.csv"));
        int col = List.of(lines.get(0).split(",")).indexOf("curvature_batch");
        assertTrue(col >= 0, lines.get(0));
        for (String l : lines.subList(1, lines.size())) assertEquals("32", l.split(",")[col], "a small MLP's HVP fits: the whole batch");
    }
}
