package org.tuneless.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tuneless.run.LocalExecutor;

/** Resume after interruption, deterministic targets, the claim checks' bookkeeping and clear errors for bad input. */
class BenchmarkTest {

    /** Two tiny workloads (teacher-student full batch, a small MLP on 256 Fashion-MNIST images); targets given. */
    static String tinySuite(String tsTarget, String mlpTarget) {
        return """
            {"format": "tuneless-bench-suite", "version": 1, "workloads": [
              {"name": "ts", "metric": "test loss",
               "spec": {"model": {"name": "mlp", "widths": [16, 16, 1]}, "data": {"name": "teacher-student", "samples": 128},
                        "loss": {"name": "mse"}, "batch": "full", "evaluation": {"every": 5, "splits": ["test"]}},
               "levels": {"tiny": {"spec": {"steps": 20}, "target": %s}}},
              {"name": "mlp", "metric": "test accuracy",
               "spec": {"model": {"name": "mlp", "widths": [784, 16, 10]}, "data": {"name": "fashion-mnist", "subset": 256, "source": "embedded"},
                        "loss": {"name": "ce"}, "batch": 32, "evaluation": {"every": 5, "splits": ["test"], "subset": 128}},
               "levels": {"tiny": {"spec": {"steps": 15}, "target": %s}}}]}
            """.formatted(tsTarget, mlpTarget);
    }

    static Suite tiny() { return SuiteFile.parse(tinySuite("0.5", "0.3"), "tiny.json").level("tiny"); }

    static Benchmark.Builder bench(Path out) {
        return Benchmark.builder().suite(tiny()).contender(Contenders.parse("adam@lr=0.001/0.01")).contender(Contenders.parse("agd"))
                .seeds(List.of(0L, 1L)).executor(new LocalExecutor(2)).out(out);
    }

    static List<List<String>> table(List<BenchRow> rows) {
        List<BenchRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing(BenchRow::trial));
        return sorted.stream().map(BenchRow::cellsWithoutTimes).toList();
    }

    @Test void resumeAfterInterruptionGivesTheSameTable(@TempDir Path dir) throws Exception {
        BenchmarkResult whole = bench(dir.resolve("whole")).build().run();
        assertEquals(2 * (2 + 2), whole.rows().size());  // 2 workloads × (2 grid points × 1 tuning seed + agd × 2 seeds)

        Path part = dir.resolve("part");
        AtomicInteger finished = new AtomicInteger();
        BenchmarkResult first = bench(part).progress((d, t, r) -> finished.incrementAndGet()).interruptWhen(() -> finished.get() >= 3).build().run();
        assertTrue(first.rows().size() >= 3 && first.rows().size() < 8, "interrupted after 3 of 8 runs: " + first.rows().size());
        // a killed process may leave half a line: it is dropped and that trial runs again
        Files.writeString(part.resolve("results.csv"), "ts/agd/seed=1,ts,agd,self-tuning,,,1,COMPL", java.nio.file.StandardOpenOption.APPEND);
        AtomicInteger ranAgain = new AtomicInteger();
        BenchmarkResult resumed = bench(part).progress((d, t, r) -> ranAgain.incrementAndGet()).build().run();
        assertEquals(8 - first.rows().size(), ranAgain.get(), "only the missing runs run again");
        assertEquals(table(whole.rows()), table(resumed.rows()));
        assertEquals(table(whole.rows()), table(ResultsCsv.read(part.resolve("results.csv"))));
        assertTrue(Files.exists(part.resolve("benchmark.json")));
    }

    @Test void aReportOfSomeWorkloadsKeepsTheDirectorysOtherRuns(@TempDir Path dir) throws Exception {
        // one directory, two invocations on different workloads (as `bench --workloads A`, then `--workloads B`)
        Benchmark.Builder ts = Benchmark.builder().suite(tiny().only(List.of("ts"))).contender(Contenders.parse("adam"))
                .seeds(List.of(0L)).executor(new LocalExecutor(1)).out(dir);
        ts.build().run().writeReport(dir);
        assertEquals(1, ResultsCsv.read(dir.resolve("results.csv")).size());
        BenchmarkResult mlp = Benchmark.builder().suite(tiny().only(List.of("mlp"))).contender(Contenders.parse("adam"))
                .seeds(List.of(0L)).executor(new LocalExecutor(1)).out(dir).build().run();
        assertEquals(List.of("mlp"), mlp.workloads());
        mlp.writeReport(dir);
        List<BenchRow> all = ResultsCsv.read(dir.resolve("results.csv"));
        assertEquals(List.of("ts", "mlp"), all.stream().map(BenchRow::workload).toList(), "the first invocation's run is still there");
        assertEquals(2, BenchmarkResult.read(dir).workloads().size());
        // a record with a wrong number of fields in the middle (not a killed write) is an error, not the end of the file
        List<String> lines = Files.readAllLines(dir.resolve("results.csv"));
        Files.write(dir.resolve("results.csv"), List.of(lines.get(0), lines.get(1) + ",extra", lines.get(2)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResultsCsv.read(dir.resolve("results.csv")));
        assertTrue(e.getMessage().contains("record 1") && e.getMessage().contains("fields"), e.getMessage());
    }

    @Test void resultsCsvRoundTripsEveryColumn(@TempDir Path dir) throws Exception {
        BenchmarkResult r = Benchmark.builder().suite(tiny().only(List.of("ts"))).contender(Contenders.parse("adam")).contender(Contenders.parse("sgd:lr=1e6"))
                .seeds(List.of(0L)).executor(new LocalExecutor(1)).build().run();
        r.writeReport(dir);
        List<BenchRow> back = ResultsCsv.read(dir.resolve("results.csv"));
        assertEquals(r.rows(), back);
        BenchRow adam = back.stream().filter(x -> x.optimizer().equals("adam")).findFirst().orElseThrow();
        assertEquals("COMPLETED", adam.status());
        assertEquals(20, adam.steps());
        assertEquals(4, BenchRow.trace(adam.metricTrace()).size(), adam.metricTrace());  // evaluations at 5, 10, 15, 20
        BenchRow sgd = back.stream().filter(x -> x.optimizer().equals("sgd:lr=1e6")).findFirst().orElseThrow();
        assertEquals("DIVERGED", sgd.status());
        assertFalse(sgd.reached());
        String csv = Files.readString(dir.resolve("results.csv"));
        assertTrue(csv.contains(",20,"), "integers are written as integers");
        assertFalse(csv.contains(",20.0,"));
        assertTrue(Files.readString(dir.resolve("leaderboard.md")).contains("| ts/sgd:lr=1e6/seed=0 | DIVERGED |"));
    }

    @Test void targetsAreDeterministic() throws Exception {
        SuiteFile f = SuiteFile.parse(tinySuite("null", "null"), "tiny.json");
        List<Double> lrs = List.of(0.001, 0.01);
        String a = Targets.set(f, "tiny", List.of("ts"), lrs, 0, new LocalExecutor(2), null).toJson();
        String b = Targets.set(f, "tiny", List.of("ts"), lrs, 0, new LocalExecutor(1), null).toJson();
        assertEquals(a, b);
        Workload ts = SuiteFile.parse(a, "again").level("tiny").workload("ts");
        assertTrue(ts.target() != null && ts.target() > 0, a);
        assertTrue(a.contains("\"bestLr\""));
        // the loss target is the best loss × 1.02, rounded up to 4 decimals
        double best = SuiteFile.parse(a, "x").document().get("workloads").get(0).get("levels").get("tiny").get("targetSetBy").get("bestMetric").asDouble();
        assertEquals(Math.ceil(best * Targets.LOSS_FACTOR * 1e4) / 1e4, ts.target(), 1e-12);
    }

    static BenchRow edgeRow(String optimizer, String edge, String lr) {
        return new BenchRow("ts/" + optimizer + "/seed=0", "ts", optimizer, Ruleset.SELF_TUNING, null, null, 0, "COMPLETED", 20, 1.0, "test loss", 0.1,
                false, null, null, 0.2, 0.2, null, "", "", lr, "", "{\"batch\":\"full\"}", edge);
    }

    @Test void theEdgeClaimCountsMeasurementsBelowTwo() {
        // line search: 10 of 10 below 2; greedy: 9 of 10 (90%, still "stays below"); lr falls 3 and 1 decades
        String ls = "0:0.5;5:0.8;10:1;15:1.2;20:1.1;25:0.9;30:1.3;35:1.9;40:1.99;45:0.1", gr = "0:0.5;5:0.8;10:1;15:1.2;20:2.5;25:0.9;30:1.3;35:1.9;40:1.99;45:0.1";
        BenchmarkResult both = new BenchmarkResult("x", List.of(edgeRow("linesearch-edge", ls, "5:1;10:0.01;20:0.001"), edgeRow("greedy-edge", gr, "5:0.1;20:0.01"),
                edgeRow("cdat-edge", "0:2;5:2.01", "5:1")));
        Claims.Check c = Claims.edge(both);
        assertEquals(Claims.Verdict.REPRODUCED, c.verdict(), c.numbers());
        assertTrue(c.numbers().contains("linesearch-edge median η·λmax 1.1000, 100% below 2, lr fell 3.0 decades ✓"), c.numbers());
        assertTrue(c.numbers().contains("greedy-edge median η·λmax 1.2000, 90% below 2, lr fell 1.0 decades ✓"), c.numbers());
        assertTrue(c.numbers().contains("cdat-edge median η·λmax 2.0100, 0% below 2, lr fell 0.0 decades (contrast)"), c.numbers());
        // greedy at the edge half the time: only line search holds
        String half = "0:1;5:2.1;10:1;15:2.2";
        Claims.Check p = Claims.edge(new BenchmarkResult("x", List.of(edgeRow("linesearch-edge", ls, "5:1"), edgeRow("greedy-edge", half, "5:1"))));
        assertEquals(Claims.Verdict.PARTIALLY, p.verdict(), p.numbers());
        assertTrue(p.numbers().contains("greedy-edge median η·λmax 2.1000, 50% below 2, lr fell 0.0 decades ✗"), p.numbers());
        // nothing measured (no tracking): not reproduced, and said so
        Claims.Check n = Claims.edge(new BenchmarkResult("x", List.of(edgeRow("linesearch-edge", "", "5:1"), edgeRow("greedy-edge", "", "5:1"))));
        assertEquals(Claims.Verdict.NOT_REPRODUCED, n.verdict());
        assertTrue(n.numbers().contains("linesearch-edge no η·λmax measured"), n.numbers());
    }

    @Test void edgePresetsRecordEtaLambdaOnAFullBatchWorkload(@TempDir Path dir) throws Exception {
        BenchmarkResult r = Benchmark.builder().suite(tiny().only(List.of("ts"))).contender(Contenders.parse("linesearch-edge"))
                .contender(Contenders.parse("greedy-edge")).seeds(List.of(0L)).executor(new LocalExecutor(2)).out(dir).build().run();
        for (BenchRow row : r.rows()) {
            List<double[]> e = BenchRow.trace(row.edgeTrace());
            assertEquals(List.of(0.0, 5.0, 10.0, 15.0), e.stream().map(p -> p[0]).toList(), row.optimizer() + ": measured every " + Contenders.EDGE_EVERY + " steps");
            for (double[] p : e) assertTrue(p[1] > 0 && Double.isFinite(p[1]), row.optimizer() + " η·λmax " + p[1]);
            assertTrue(row.spec().contains("\"tracking\":[{\"name\":\"sharpness\""), row.spec());
        }
        assertEquals(table(r.rows()), table(ResultsCsv.read(dir.resolve("results.csv"))), "edge_trace round-trips through results.csv");
        assertTrue(r.claims().stream().anyMatch(c -> c.name().equals("tuners-undershoot-edge") && c.verdict() != Claims.Verdict.NOT_RUN));
        // a results.csv of the first format (no edge_trace column) is still read
        List<String> lines = Files.readAllLines(dir.resolve("results.csv"));
        Path old = dir.resolve("old.csv");
        try (var w = Files.newBufferedWriter(old); var p = new org.apache.commons.csv.CSVPrinter(w, org.apache.commons.csv.CSVFormat.DEFAULT)) {
            p.printRecord(BenchRow.COLUMNS_V1);
            for (BenchRow row : r.rows()) p.printRecord(row.cells().subList(0, BenchRow.COLUMNS_V1.size()));
        }
        List<BenchRow> back = ResultsCsv.read(old);
        assertEquals(r.rows().size(), back.size());
        assertEquals("", back.get(0).edgeTrace());
        assertEquals(r.rows().get(0).lrTrace(), back.get(0).lrTrace());
        assertTrue(lines.get(0).endsWith(",spec,edge_trace"), lines.get(0));
    }

    @Test void claimsNotRunAreSaidSo() {
        BenchmarkResult empty = new BenchmarkResult("x", List.of());
        for (Claims.Check c : empty.claims()) assertEquals(Claims.Verdict.NOT_RUN, c.verdict(), c.name());
    }

    @Test void sensitivityCountsTheContiguousDecadesWithinTenPercent() {
        Metric loss = Metric.parse("test loss");
        List<BenchRow> rows = new ArrayList<>();
        double[] knob = {0.1, 1, 10, 100}, fin = {0.50, 0.30, 0.32, 0.90};
        for (int i = 0; i < 4; i++) rows.add(row(knob[i], fin[i]));
        assertEquals(1.0, BenchmarkResult.sensitivity(rows, loss, 0.10), 1e-12);  // 1 and 10 are within 10% of 0.30
        fin = new double[]{0.31, 0.30, 0.32, 0.33};
        rows.clear();
        for (int i = 0; i < 4; i++) rows.add(row(knob[i], fin[i]));
        assertEquals(3.0, BenchmarkResult.sensitivity(rows, loss, 0.10), 1e-12);
    }

    static BenchRow row(double knob, double fin) {
        return new BenchRow("w/e/eta=" + knob + "/seed=0", "w", "e", Ruleset.EXTERNAL_TUNING, "eta", knob, 0, "COMPLETED", 10, 1.0, "test loss", 0.1,
                false, null, null, fin, fin, null, "", "", "", "", "{}", "");
    }

    @Test void badInputIsRefusedWithTheProblemAndTheFix() {
        var e = assertThrows(IllegalArgumentException.class, () -> SuiteFile.parse("{\"format\": \"tuneless-bench-suite\", \"version\": 2, \"workloads\": []}", "s.json"));
        assertTrue(e.getMessage().contains("version") && e.getMessage().contains("1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SuiteFile.parse(tinySuite("0.5", "0.3").replace("\"metric\": \"test loss\"", "\"metric\": \"test speed\""), "s.json"));
        assertTrue(e.getMessage().contains("ts") && e.getMessage().contains("accuracy"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SuiteFile.parse(tinySuite("0.5", "0.3").replace("\"steps\": 20", "\"stepz\": 20"), "s.json"));
        assertTrue(e.getMessage().contains("stepz") && e.getMessage().contains("ts"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SuiteFile.parse(tinySuite("0.5", "0.3").replace("\"levels\"", "\"levelz\""), "s.json"));
        assertTrue(e.getMessage().contains("levelz") && e.getMessage().contains("valid"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SuiteFile.parse("{not json", "s.json"));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Contenders.parse("adamm"));
        assertTrue(e.getMessage().contains("adamm") && e.getMessage().contains("adam-tuned"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Contenders.parse("adam@lrr=0.1/1"));
        assertTrue(e.getMessage().contains("lrr"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> tiny().only(List.of("nope")));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("ts, mlp"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Suite.named("nosuch-suite.json"));
        assertTrue(e.getMessage().contains("smoke, standard, full"), e.getMessage());
        Suite noTarget = SuiteFile.parse(tinySuite("null", "0.3"), "s.json").level("tiny");
        e = assertThrows(IllegalArgumentException.class, () -> Benchmark.builder().suite(noTarget).contender(Contenders.parse("adam")).seeds(List.of(0L)).build());
        assertTrue(e.getMessage().contains("no target") && e.getMessage().contains("bench targets"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> bench(null).contender(Contenders.parse("agd")).build());
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test void builtInSuiteHasEveryWorkloadAndTargetsForSmokeAndStandard() {
        SuiteFile f = SuiteFile.builtIn();
        assertEquals(List.of("smoke", "standard", "full"), f.levels());
        assertEquals(List.of("fmnist-mlp", "fmnist-cnn", "fmnist-resnet18-none", "fmnist-resnet18-batch", "fmnist-vit", "fortunes-nanolm",
                "fortunes-lstm", "teacher-student"), Suite.smoke().names());
        // standard runs every workload too (ResNet-18 at 60 steps of batch 16: benchmarks/tuning-free/README.md)
        assertEquals(Suite.smoke().names(), f.level("standard").names());
        for (String level : List.of("smoke", "standard")) {
            for (Workload w : f.level(level).workloads()) assertNotEquals(null, w.target(), level + " " + w.name());
        }
        // full: the workloads one machine could afford have targets (benchmarks/tuning-free/README.md); the rest wait for a cluster
        List<String> fullTargets = f.level("full").workloads().stream().filter(w -> w.target() != null).map(Workload::name).toList();
        assertEquals(List.of("fmnist-mlp", "fmnist-cnn", "teacher-student"), fullTargets);
    }
}
