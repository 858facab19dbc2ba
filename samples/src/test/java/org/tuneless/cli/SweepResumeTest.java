package org.tuneless.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tuneless.run.TrialResult;

/**
 * {@code ./tuneless sweep FILE.json}: a child JVM running the sweep is killed with {@code kill -9} once {@value #K}
 * results are in trials.jsonl; {@code --resume} finishes it without rerunning them (their lines, seconds and host
 * unchanged), every trial id appears exactly once, and the losses equal an uninterrupted run's.
 */
class SweepResumeTest {

    static final int K = 3;

    static final String SWEEP = """
            {"base": {"model": {"name": "mlp", "widths": [16, 32, 1]}, "data": {"name": "teacher-student", "samples": 256}, "loss": {"name": "mse"},
                      "optimizer": {"name": "adam"}, "steps": 30, "batch": 32, "dtype": "float64", "evaluation": {"every": 0, "splits": ["test"]}},
             "parameters": {"optimizer.lr": {"log": [1e-3, 1e-1, 4]}},
             "seeds": [0, 1],
             "threads": 1}
            """;

    @Test void aDriverKilledMidSweepResumesWithoutRerunningFinishedTrials(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/kill")) || Files.isExecutable(Path.of("/usr/bin/kill")), "skipped: no kill command");
        Path file = tmp.resolve("lr.json");
        Files.writeString(file, SWEEP);
        Path dir = tmp.resolve("killed");
        Path jsonl = dir.resolve("trials.jsonl");
        Process p = KillDuringCheckpointTest.child(tmp.resolve("child.log"), List.of(), "sweep", file.toString(), "--out", dir.toString(), "--no-parquet");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && p.isAlive() && complete(jsonl) < K) Thread.sleep(2);
            assertTrue(p.isAlive(), "the child finished before " + K + " results: " + Files.readString(tmp.resolve("child.log")));
            new ProcessBuilder("kill", "-9", Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child did not die");
        } finally {
            p.destroyForcibly();
        }
        List<String> before = completeLines(jsonl);
        int k = before.size();
        assertTrue(k >= K && k < 8, k + " results at the kill");

        TunelessCliTest.Result resumed = TunelessCliTest.run("sweep", file.toString(), "--out", dir.toString(), "--resume", "--no-parquet");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("continuing: " + k + " finished trials kept") && resumed.out().contains((8 - k) + " run now, " + k + " kept from before"), resumed.out());

        List<String> after = completeLines(jsonl);
        assertEquals(before, after.subList(0, k), "the first " + k + " results are untouched (not rerun: same seconds, same host)");
        Map<String, Integer> count = new HashMap<>();
        for (String line : after) count.merge(TrialResult.fromJson(line).id(), 1, Integer::sum);
        assertEquals(8, count.size());
        assertTrue(count.values().stream().allMatch(c -> c == 1), "every id exactly once: " + count);

        Path clean = tmp.resolve("clean");
        TunelessCliTest.Result uninterrupted = TunelessCliTest.run("sweep", file.toString(), "--out", clean.toString(), "--no-parquet");
        assertEquals(0, uninterrupted.code(), uninterrupted.err());
        List<CSVRecord> a = csv(dir.resolve("results.csv")), b = csv(clean.resolve("results.csv"));
        assertEquals(8, a.size());
        for (String col : List.of("trial", "optimizer_lr", "seed", "steps", "status", "final_loss", "best_loss", "test_loss")) {
            assertEquals(b.stream().map(r -> r.get(col)).toList(), a.stream().map(r -> r.get(col)).toList(), col);
        }
        assertTrue(resumed.out().contains("best: "), resumed.out());
    }

    static int complete(Path jsonl) throws Exception {
        return Files.exists(jsonl) ? completeLines(jsonl).size() : 0;
    }

    static List<String> completeLines(Path jsonl) throws Exception {
        String s = Files.readString(jsonl);
        List<String> out = new ArrayList<>(List.of(s.substring(0, s.lastIndexOf('\n') + 1).split("\n")));
        out.removeIf(String::isBlank);
        return out;
    }

    static List<CSVRecord> csv(Path f) throws Exception {
        try (var r = Files.newBufferedReader(f)) {
            return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
        }
    }
}
