package org.tuneless.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** {@code --schedule} and the wrappers (averaged, lookahead, sam) from the command line. */
class ScheduleCliTest {

    static final String[] SMALL = {"train", "--model", "mlp:784-8-10", "--data", "fashion-mnist-embedded:64", "--batch", "full", "--quiet"};

    static String[] small(String... more) {
        String[] out = Arrays.copyOf(SMALL, SMALL.length + more.length);
        System.arraycopy(more, 0, out, SMALL.length, more.length);
        return out;
    }

    @Test void theLrColumnFollowsTheScheduleAndRunJsonKeepsIt(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("cos");
        TunelessCliTest.Result r = TunelessCliTest.run(small("--optimizer", "sgd", "--lr", "0.1", "--steps", "6", "--schedule", "cosine:warmup=2", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("with warmup for 2 steps, then cosine"), r.out());
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        List<String> header = List.of(csv.get(0).split(","));
        int lr = header.indexOf("lr"), mult = header.indexOf("schedule_multiplier");
        assertTrue(mult > 0, csv.get(0));
        double[] expected = {0.05, 0.1, 0.1, 0.1 * (1 + Math.cos(Math.PI / 4)) / 2, 0.05, 0.1 * (1 + Math.cos(3 * Math.PI / 4)) / 2};
        for (int t = 0; t < 6; t++) {
            assertEquals(expected[t], Double.parseDouble(csv.get(t + 1).split(",")[lr]), 1e-9, "lr at step " + t);
        }
        JsonNode spec = new ObjectMapper().readTree(out.resolve("run.json").toFile()).get("config").get("spec");
        assertEquals(1, spec.get("schedule").size(), spec.toString());
        assertEquals("cosine", spec.get("schedule").get(0).get("name").asText());
        assertEquals(2, spec.get("schedule").get(0).get("warmup").asInt());
        // re-running the saved spec gives the same learning rates
        Path again = dir.resolve("again");
        assertEquals(0, TunelessCliTest.run("train", "--config", out.resolve("run.json").toString(), "--out", again.toString(), "--quiet").code());
        List<String> csv2 = Files.readAllLines(again.resolve("metrics.csv"));
        for (int t = 1; t <= 6; t++) assertEquals(csv.get(t).split(",")[lr], csv2.get(t).split(",")[lr]);
    }

    @Test void otherScheduleFormsAndLearningRateFreeOptimizers(@TempDir Path dir) {
        String[][] cases = {{"--optimizer", "adam", "--schedule", "wsd:warmup=2,decay=0.5"}, {"--optimizer", "momentum", "--schedule", "step:every=2,factor=0.5"},
                {"--optimizer", "adamw", "--schedule", "linear"}, {"--optimizer", "prodigy", "--schedule", "cosine"},
                {"--optimizer", "dadapt-adam", "--schedule", "warmup:steps=2+cosine:final=0.1"}};
        for (String[] c : cases) {
            TunelessCliTest.Result r = TunelessCliTest.run(small(concat(c, "--steps", "4", "--out", dir.resolve(c[1]).toString())));
            assertEquals(0, r.code(), String.join(" ", c) + ": " + r.err());
        }
    }

    @Test void badSchedulesGetOneLineErrors() {
        assertError(TunelessCliTest.run(small("--steps", "1", "--schedule", "cosine:final=2")), "final = 2.0 is outside [0, 1)");
        assertError(TunelessCliTest.run(small("--steps", "1", "--schedule", "exponential")), "unknown schedule 'exponential'; valid: constant, warmup, cosine");
        assertError(TunelessCliTest.run(small("--steps", "1", "--schedule", "step:factor=0")), "factor = 0.0 must be in (0, 1)");
        assertError(TunelessCliTest.run(small("--steps", "1", "--optimizer", "agd", "--schedule", "cosine")), "has no learning rate a schedule could multiply");
        assertError(TunelessCliTest.run(small("--steps", "1", "--schedule", "cosine:warmpu=3")), "does not take option 'warmpu'");
    }

    @Test void wrappersTrainFromTheCommandLine(@TempDir Path dir) throws IOException {
        String[][] cases = {{"--optimizer", "averaged", "--base", "sgd", "--lr", "0.05", "--mode", "swa", "--start", "2"},
                {"--optimizer", "lookahead", "--base", "adam", "--k", "2", "--alpha", "0.5"},
                {"--optimizer", "sam", "--base", "momentum", "--lr", "0.05", "--rho", "0.1", "--adaptive", "true"},
                {"--optimizer", "lookahead", "--base", "prodigy", "--schedule", "cosine"}};
        String[] diagnostics = {"average.weight", "lookahead.sync", "sam.perturbed_loss", "schedule.multiplier"};
        for (int i = 0; i < cases.length; i++) {
            String[] c = cases[i];
            Path out = dir.resolve("w" + i);
            TunelessCliTest.Result r = TunelessCliTest.run(small(concat(c, "--steps", "4", "--out", out.toString())));
            assertEquals(0, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(Files.readAllLines(out.resolve("metrics.csv")).get(0).contains(org.tuneless.metrics.Csv.columnName(diagnostics[i])), String.join(" ", c));
        }
        assertError(TunelessCliTest.run(small("--steps", "1", "--optimizer", "lookahead", "--alpha", "2")), "alpha = 2.0 must be in (0, 1]");
        assertError(TunelessCliTest.run(small("--steps", "1", "--optimizer", "sam", "--base", "dog")), "unknown base 'dog'");
        assertError(TunelessCliTest.run(small("--steps", "1", "--optimizer", "averaged", "--mode", "median")), "mode = 'median'");
    }

    @Test void theEvaluationPointIsChosenFromTheCommandLineAndKeptInTheSpec(@TempDir Path dir) throws IOException {
        String[] points = {"average", "live"};
        String[] recorded = new String[2];
        for (int i = 0; i < 2; i++) {
            Path out = dir.resolve(points[i]);
            TunelessCliTest.Result r = TunelessCliTest.run(small("--optimizer", "sf-adamw", "--steps", "3", "--eval-at", points[i], "--out", out.toString()));
            assertEquals(0, r.code(), r.err());
            List<String> ev = Files.readAllLines(out.resolve("evaluations.csv"));
            assertEquals("step,after_step,split,loss,accuracy,point", ev.get(0));
            recorded[i] = ev.get(ev.size() - 1).substring(ev.get(ev.size() - 1).lastIndexOf(',') + 1);
            JsonNode spec = new ObjectMapper().readTree(out.resolve("run.json").toFile()).get("config").get("spec");
            assertEquals(points[i], spec.get("evaluation").get("at").asText());
        }
        assertTrue(recorded[0].contains("schedule-free"), "average evaluates at Schedule-Free's x: " + recorded[0]);
        assertEquals("live", recorded[1]);
        assertError(TunelessCliTest.run(small("--steps", "1", "--eval-at", "middle")), "--eval-at = middle is not an evaluation point; valid: average");
    }

    private static void assertError(TunelessCliTest.Result r, String expected) {
        assertTrue(r.code() != 0, "exit code was 0 for: " + r.err());
        assertTrue(r.err().contains(expected), "stderr was: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line expected: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace expected");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
