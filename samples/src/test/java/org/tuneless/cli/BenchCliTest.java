package org.tuneless.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tuneless.bench.BenchRow;
import org.tuneless.bench.BenchmarkResult;
import org.tuneless.bench.SuiteFile;

/**
 * {@code ./tuneless bench} end to end on the smoke suite: every file of the report, tuned Adam reaches every workload's
 * target, a diverging optimizer is recorded DIVERGED and the benchmark goes on; bad input exits 2 with the problem.
 */
class BenchCliTest {

    /** Tuned Adam on one smoke workload: Adam at the learning rate that set its target (the best point of the 7-value grid). */
    static String tunedAdam(String workload) {
        for (var w : SuiteFile.builtIn().document().get("workloads")) {
            if (w.get("name").asText().equals(workload)) return "adam@lr=" + w.get("levels").get("smoke").get("targetSetBy").get("bestLr").asDouble();
        }
        throw new AssertionError(workload);
    }

    @Test void smokeSuiteEndToEnd(@TempDir Path dir) throws Exception {
        List<String> workloads = SuiteFile.builtIn().level("smoke").names();
        assertEquals(8, workloads.size());
        for (String w : workloads) {
            // one directory per workload (tuned Adam's learning rate differs per workload); charts for the first only
            Path out = dir.resolve(w);
            String adam = tunedAdam(w);
            boolean charts = w.equals(workloads.get(0));
            TunelessCliTest.Result r = TunelessCliTest.run(charts
                    ? new String[]{"bench", "--suite", "smoke", "--workloads", w, "--optimizer", adam, "--optimizer", "sgd:lr=1e6", "--seeds", "1", "--threads", "2", "--out", out.toString()}
                    : new String[]{"bench", "--suite", "smoke", "--workloads", w, "--optimizer", adam, "--optimizer", "sgd:lr=1e6", "--seeds", "1", "--threads", "2", "--out", out.toString(), "--no-charts"});
            assertEquals(0, r.code(), w + ": " + r.err());
            assertTrue(r.out().contains("[1/2"), "a progress line per run: " + r.out());
            assertTrue(Files.size(out.resolve("results.csv")) > 100 && Files.size(out.resolve("leaderboard.md")) > 100 && Files.exists(out.resolve("benchmark.json")), w);
            if (charts) {
                for (String f : List.of("profile.svg", "profile.png", "profile-self-tuning.png", "profile-external-tuning.png", "time-to-target.png", "curves-" + w + ".png")) {
                    assertTrue(Files.size(out.resolve(f)) > 100, f);
                }
            }
            BenchmarkResult result = BenchmarkResult.read(out);
            assertEquals(1, result.cell(adam, w).orElseThrow().reached(), "tuned Adam reaches the target of " + w + ": " + result.rows(adam, w));
            List<BenchRow> sgd = result.rows("sgd:lr=1e6", w);
            assertEquals(1, sgd.size(), w);
            if (!w.startsWith("fmnist-resnet18-batch")) {  // batch norm keeps the forward pass finite at any step size
                assertEquals("DIVERGED", sgd.get(0).status(), w + ": " + sgd.get(0));
                assertTrue(Files.readString(out.resolve("leaderboard.md")).contains("DIVERGED"), w);
            }
        }
        // a second call with the same directory has nothing left to run
        Path out = dir.resolve(workloads.get(0));
        TunelessCliTest.Result again = TunelessCliTest.run("bench", "--suite", "smoke", "--workloads", workloads.get(0), "--optimizer", tunedAdam(workloads.get(0)),
                "--optimizer", "sgd:lr=1e6", "--seeds", "1", "--out", out.toString(), "--no-charts");
        assertEquals(0, again.code(), again.err());
        assertTrue(!again.out().contains("[1/"), again.out());
    }

    @Test void badInputExitsTwoWithTheProblem(@TempDir Path dir) throws Exception {
        var r = TunelessCliTest.run("bench", "--suite", "smoke", "--optimizers", "adamm", "--out", dir.resolve("a").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("adamm") && r.err().contains("adam-tuned"), r.err());
        r = TunelessCliTest.run("bench", "--suite", "smoke", "--optimizers", "adam", "--workloads", "fmnist-nope", "--out", dir.resolve("b").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("fmnist-nope") && r.err().contains("fmnist-mlp"), r.err());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"format\": \"tuneless-bench-suite\", \"version\": 1, \"workloads\": [{\"name\": \"x\", \"metric\": \"test accuracy\", "
                + "\"spec\": {\"model\": {\"name\": \"mlp\", \"widths\": [784, 10]}, \"optimizer\": {\"name\": \"adam\"}}, \"levels\": {\"a\": {}}}]}");
        r = TunelessCliTest.run("bench", "--suite", bad.toString(), "--optimizers", "adam", "--out", dir.resolve("c").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no optimizer"), r.err());
        r = TunelessCliTest.run("bench", "--suite", "smoke", "--optimizers", "adam");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--out"), r.err());
    }
}
