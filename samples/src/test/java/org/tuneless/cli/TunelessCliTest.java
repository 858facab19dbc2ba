package org.tuneless.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class TunelessCliTest {

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = TunelessCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test void trainWritesMetricsCsvJsonlAndRunJson(@TempDir Path dir) throws IOException {
        Result r = run("train", "--model", "mlp:784-32-10", "--data", "fashion-mnist-embedded:512", "--optimizer", "adam",
                "--lr", "1e-3", "--steps", "20", "--batch", "64", "--loss", "ce", "--seed", "0", "--eval-every", "10",
                "--out", dir.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("COMPLETED after 20 steps"), r.out());
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        assertEquals(21, csv.size());
        assertTrue(csv.get(0).startsWith("step,epoch,loss,lr,grad_norm,update_norm,time_s"), csv.get(0));
        assertEquals(20, Files.readAllLines(dir.resolve("metrics.jsonl")).size());
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("run.json").toFile());
        assertEquals("mlp:784-32-10", meta.get("config").get("model").asText());
        assertEquals("64", meta.get("config").get("batch").asText());
        assertTrue(meta.get("last_evaluation").get("test").get("accuracy").asDouble() > 0.3);
    }

    @Test void fullBatchSquaredLossRunIsReproducible(@TempDir Path dir) throws IOException {
        String[] args = {"train", "--model", "mlp:784-16-10", "--data", "fashion-mnist-embedded:256", "--optimizer", "gd",
                "--lr", "0.1", "--steps", "5", "--batch", "full", "--loss", "mse", "--quiet"};
        Path a = dir.resolve("a"), b = dir.resolve("b");
        assertEquals(0, run(concat(args, "--out", a.toString())).code());
        assertEquals(0, run(concat(args, "--out", b.toString())).code());
        List<String> la = Files.readAllLines(a.resolve("metrics.csv")), lb = Files.readAllLines(b.resolve("metrics.csv"));
        for (int i = 1; i < la.size(); i++) {
            assertEquals(la.get(i).split(",")[2], lb.get(i).split(",")[2], "loss column of row " + i);
        }
    }

    @Test void badInputGetsOneLineErrorsAndNonZeroExit() {
        assertError(run("train", "--model", "resnet9"), "unknown model 'resnet9'; valid: mlp, cnn, resnet18, resnet34, mixer, vit, nanolm, lstm");
        assertError(run("train", "--model", "nanolm", "--data", "fashion-mnist-embedded:64", "--steps", "1"), "nanolm is a language model");
        assertError(run("train", "--model", "cnn", "--data", "text-embedded:16:8", "--steps", "1"), "cnn is an image model");
        assertError(run("train", "--model", "resnet18:group", "--data", "fashion-mnist-embedded:64", "--steps", "1"), "valid: batch, layer, none");
        assertError(run("train", "--data", "text:0", "--steps", "1"), "text: context = 0 must be a positive integer (valid: 1, 2, …)");
        assertError(run("train", "--data", "textfile:/no/such.txt", "--steps", "1"), "/no/such.txt");
        assertError(run("train", "--optimizer", "adamax"), "unknown optimizer 'adamax'; valid: sgd");
        assertError(run("train", "--frobnicate"), "Unknown option: '--frobnicate'");
        assertError(run("train", "--steps", "ten"), "--steps");
        assertError(run("train", "--lr", "-1", "--steps", "1"), "lr = -1.0 must be ≥ 0");
        assertError(run("train", "--data", "idx:/no/such/dir", "--steps", "1"), "/no/such/dir: not a directory");
        assertError(run("train", "--data", "cifar10", "--steps", "1"), "unknown data 'cifar10'; valid: fashion-mnist");
        assertError(run("train", "--loss", "hinge", "--steps", "1"), "unknown loss 'hinge'; valid: ce");
        assertError(run("train", "--optimizer", "adam", "--momentum", "0.9", "--steps", "1"), "does not take option 'momentum'");
        // findings of the bad-input probe: each was silently accepted or crashed
        assertError(run("train", "--model", "resnet18:", "--steps", "1"), "--model 'resnet18:' ends with ':' but gives no option after it");
        assertError(run("train", "--data", "fashion-mnist-embedded:", "--steps", "1"), "ends with ':' but gives no option after it");
        assertError(run("train", "--model", "mlp:784-9999999-10", "--data", "fashion-mnist-embedded:64", "--batch", "16", "--steps", "1"),
                "the network has 7,949,999,215 parameters (FLOAT): training needs about 4 ×");
        assertError(run("train", "--data", "fashion-mnist-embedded:64", "--batch", "100000", "--steps", "1"),
                "batch = 100000 exceeds the 64 training examples");
        assertError(run("train", "--data", "fashion-mnist-embedded:64", "--batch", "full", "--track", "sharpness:every=0", "--steps", "1"),
                "sharpness: every = 0 and no steps in at: it would measure nothing");
    }

    @Test void aTextFilePathMayContainColons(@TempDir Path dir) throws IOException {
        Path book = dir.resolve("a:b.txt");
        Files.writeString(book, "the quick brown fox jumps over the lazy dog. ".repeat(20));
        Result r = run("train", "--model", "lstm", "--data", "textfile:" + book + ":8:16", "--steps", "1", "--batch", "4", "--eval-every", "0",
                "--out", dir.resolve("out").toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("a:b.txt"), r.out());
    }

    @Test void unreadableDataFileIsReportedWithItsPath(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("train-images-idx3-ubyte"), "garbage");
        Files.writeString(dir.resolve("train-labels-idx1-ubyte"), "garbage");
        Files.writeString(dir.resolve("t10k-images-idx3-ubyte"), "garbage");
        Files.writeString(dir.resolve("t10k-labels-idx1-ubyte"), "garbage");
        Result r = run("train", "--data", "idx:" + dir, "--steps", "1");
        assertError(r, dir.resolve("train-images-idx3-ubyte").toString());
        assertTrue(r.err().contains("wrong magic number"), r.err());
    }

    @Test void trackAddsCurvatureColumnsEmptyWhereNotMeasured(@TempDir Path dir) throws IOException {
        Result r = run("train", "--model", "mlp:784-16-10", "--data", "fashion-mnist-embedded:256", "--optimizer", "gd", "--lr", "0.1",
                "--steps", "6", "--batch", "full", "--track", "sharpness:every=3,iters=50", "--out", dir.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        List<String> header = List.of(csv.get(0).split(","));
        int sharp = header.indexOf("sharpness"), edge = header.indexOf("lr_x_sharpness");
        assertTrue(sharp > 0 && edge > 0, csv.get(0));
        String[] row0 = csv.get(1).split(",", -1), row1 = csv.get(2).split(",", -1), row3 = csv.get(4).split(",", -1);
        assertTrue(Double.parseDouble(row0[sharp]) > 0);
        assertEquals(0.1 * Double.parseDouble(row3[sharp]), Double.parseDouble(row3[edge]), 1e-9);
        assertEquals("", row1[sharp]);
        assertError(run("train", "--track", "curvy", "--steps", "1"), "unknown --track quantity 'curvy'; valid: sharpness");
        Path png = dir.resolve("plot.png");
        Result p = run("train", "--model", "mlp:784-8-10", "--data", "fashion-mnist-embedded:128", "--steps", "4", "--batch", "full",
                "--track", "sharpness:every=2,iters=20", "--plot", png.toString(), "--out", dir.resolve("p").toString(), "--quiet");
        assertEquals(0, p.code(), p.err());
        byte[] head = Arrays.copyOf(Files.readAllBytes(png), 4);
        assertEquals("\u0089PNG", new String(head, java.nio.charset.StandardCharsets.ISO_8859_1));
        assertError(run("train", "--steps", "1", "--plot", dir.resolve("x.gif").toString(), "--out", dir.resolve("q").toString(), "--quiet"), "use a .svg or .png");
    }

    @Test void demoComparesAdamWithTheLearningRateFreeMethodsAndPrintsTheLearningRateEachChose(@TempDir Path dir) {
        Result r = run("demo", "--steps", "2", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("final lr"), r.out());
        for (String name : List.of("adam(lr=0.001)", "prodigy(", "dog(", "agd", "ecco(eta=10)")) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(name) && l.contains("COMPLETED") && l.matches(".*\\d\\.\\d\\de[-+]\\d\\d.*")),
                    name + " row with its final learning rate:\n" + r.out());
        }
    }

    @Test void everyCatalogOptimizerTrainsFromTheCommandLineAtItsDefaults(@TempDir Path dir) throws IOException {
        for (org.tuneless.catalog.Entry<?> e : org.tuneless.optim.Optimizers.CATALOG.entries()) {
            Path out = dir.resolve(e.name());
            Result r = run("train", "--model", "mlp:784-8-10", "--data", "fashion-mnist-embedded:64", "--steps", "2", "--batch", "full",
                    "--eval-every", "0", "--quiet", "--optimizer", e.name(), "--out", out.toString());
            assertEquals(0, r.code(), e.name() + ": " + r.err());
            assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size(), e.name());
        }
    }

    @Test void selfTuningOptimizersRunFromTheCommandLine(@TempDir Path dir) throws IOException {
        String[][] cases = {{"--optimizer", "ecco", "--eta", "10"}, {"--optimizer", "agd"},
                {"--optimizer", "cdat", "--base", "adam", "--scale", "2", "--ema", "0.9"}, {"--optimizer", "linesearch", "--base", "gd"},
                {"--optimizer", "greedy", "--base", "gd"}, {"--optimizer", "polyak", "--base", "gd"},
                {"--optimizer", "hypergradient", "--base", "gd", "--lr", "0.01"}, {"--optimizer", "sharpness-rule", "--base", "gd", "--scale", "2"}};
        for (String[] c : cases) {
            String[] args = concat(new String[]{"train", "--model", "mlp:784-8-10", "--data", "fashion-mnist-embedded:128", "--steps", "3",
                    "--batch", "full", "--quiet", "--out", dir.resolve(c[1]).toString()}, c);
            Result r = run(args);
            assertEquals(0, r.code(), String.join(" ", c) + ": " + r.err());
            List<String> csv = Files.readAllLines(dir.resolve(c[1]).resolve("metrics.csv"));
            assertEquals(4, csv.size(), String.join(" ", c));
        }
        assertTrue(Files.readString(dir.resolve("ecco").resolve("metrics.csv")).contains("ecco_cap_fraction"));
        assertTrue(Files.readString(dir.resolve("agd").resolve("metrics.csv")).contains("agd_G"));
        assertError(run("train", "--optimizer", "ecco", "--eta", "-1", "--steps", "1"), "eta (LTE tolerance) = -1.0 must be a positive");
        assertError(run("train", "--optimizer", "cdat", "--base", "lbfgs", "--steps", "1"), "unknown base 'lbfgs'");
    }

    @Test void learningRateFreeOptimizersTrainFromTheCommandLine(@TempDir Path dir) throws IOException {
        String[][] cases = {{"--optimizer", "dog"}, {"--optimizer", "ldog", "--init-eta", "1e-3"}, {"--optimizer", "dadapt-sgd"},
                {"--optimizer", "dadapt-adam"}, {"--optimizer", "prodigy", "--d-coef", "0.5"}, {"--optimizer", "mechanic", "--base", "adam", "--lr", "1e-3"}};
        String[] diagnostics = {"dog.eta", "ldog.eta_max", "dadapt.d", "dadapt.d", "prodigy.d", "mechanic.s_sum"};
        for (int i = 0; i < cases.length; i++) {
            String[] c = cases[i];
            String[] args = concat(new String[]{"train", "--model", "mlp:784-8-10", "--data", "fashion-mnist-embedded:128", "--steps", "5",
                    "--batch", "full", "--quiet", "--out", dir.resolve(c[1]).toString()}, c);
            Result r = run(args);
            assertEquals(0, r.code(), String.join(" ", c) + ": " + r.err());
            List<String> csv = Files.readAllLines(dir.resolve(c[1]).resolve("metrics.csv"));
            assertEquals(6, csv.size(), String.join(" ", c));
            assertTrue(csv.get(0).contains(org.tuneless.metrics.Csv.columnName(diagnostics[i])), c[1] + ": " + csv.get(0));
        }
        assertTrue(run("train", "--optimizer", "dog", "--average", "8", "--steps", "2", "--model", "mlp:784-8-10", "--data",
                "fashion-mnist-embedded:64", "--batch", "full", "--quiet", "--out", dir.resolve("avg").toString()).code() == 0);
        assertError(run("train", "--optimizer", "prodigy", "--slice-p", "11", "--steps", "1"), "slice_p = 11 is not supported");
        assertError(run("train", "--optimizer", "mechanic", "--base", "lbfgs", "--steps", "1"), "unknown base 'lbfgs'");
        assertError(run("train", "--optimizer", "dog", "--reps-rel", "-1", "--steps", "1"), "reps_rel = -1.0 must be a positive");
    }

    @Test void scheduleFreeTrainsEvaluatesAtXAndEvaluatingDoesNotChangeTheTrajectory(@TempDir Path dir) throws IOException {
        for (String[] c : new String[][]{{"sf-adamw"}, {"sf-sgd", "--lr", "0.1", "--warmup-steps", "2"}}) {
            String name = c[0];
            String[] base = concat(new String[]{"train", "--model", "mlp:784-8-10", "--data", "fashion-mnist-embedded:128", "--steps", "5",
                    "--batch", "32", "--seed", "3", "--quiet", "--optimizer"}, c);
            Path every = dir.resolve(name + "-every"), never = dir.resolve(name + "-never");
            Result a = run(concat(base, "--eval-every", "1", "--out", every.toString()));
            Result b = run(concat(base, "--eval-every", "0", "--out", never.toString()));
            assertEquals(0, a.code(), name + ": " + a.err());
            assertEquals(0, b.code(), name + ": " + b.err());
            List<String> ma = Files.readAllLines(every.resolve("metrics.csv")), mb = Files.readAllLines(never.resolve("metrics.csv"));
            assertEquals(6, ma.size(), name);
            for (String diagnostic : new String[]{"sf_c", "sf_weight_sum", "sf_lr_max"}) assertTrue(ma.get(0).contains(diagnostic), ma.get(0));
            for (int i = 1; i < ma.size(); i++) {
                assertEquals(mb.get(i).split(",")[2], ma.get(i).split(",")[2], name + ": the loss of step " + (i - 1) + " does not depend on evaluations");
                assertEquals(mb.get(i).split(",")[3], ma.get(i).split(",")[3], name + ": lr of step " + (i - 1));
            }
            List<String> evals = Files.readAllLines(every.resolve("evaluations.csv"));
            assertTrue(evals.get(0).endsWith(",point"), evals.get(0));
            assertTrue(evals.size() > 5, name + ": evaluated every step");
            for (String line : evals.subList(1, evals.size())) assertTrue(line.endsWith("x (schedule-free average)"), line);
            JsonNode meta = new ObjectMapper().readTree(every.resolve("run.json").toFile());
            assertEquals("x (schedule-free average)", meta.get("config").get("evaluation_point").asText());
            assertEquals("x (schedule-free average)", meta.get("last_evaluation").get("test").get("point").asText());
            assertEquals(Files.readAllLines(never.resolve("evaluations.csv")).get(Files.readAllLines(never.resolve("evaluations.csv")).size() - 1),
                    evals.get(evals.size() - 1), name + ": the same last evaluation");
        }
        // warmup: lr of the first step is lr/2 with 2 warmup steps
        List<String> sgd = Files.readAllLines(dir.resolve("sf-sgd-every").resolve("metrics.csv"));
        assertEquals(0.05, Double.parseDouble(sgd.get(1).split(",")[3]), 1e-15);
        assertEquals(0.1, Double.parseDouble(sgd.get(3).split(",")[3]), 1e-15);
    }

    @Test void periodicEvaluationsUseAStatedSubsetAndTheFinalOneTheWholeSplit(@TempDir Path dir) throws IOException {
        Result r = run("train", "--model", "mlp:784-8-10", "--data", "fashion-mnist-embedded:512", "--optimizer", "adam", "--steps", "10",
                "--batch", "32", "--eval-every", "5", "--out", dir.resolve("auto").toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        // 5 steps × 32 examples between evaluations over two splits = 40 < 256, the minimum
        assertTrue(r.out().contains("evaluated on the first 256 of 512 train examples during training, all of them at the end; "
                + "the first 256 of 1024 test examples during training, all of them at the end"), r.out());
        JsonNode config = new ObjectMapper().readTree(dir.resolve("auto").resolve("run.json").toFile()).get("config");
        assertEquals("1024 of 1024", config.get("evaluation_test_examples").asText());
        assertEquals("256 of 1024", config.get("evaluation_test_examples_during_training").asText());
        Result all = run("train", "--model", "mlp:784-8-10", "--data", "fashion-mnist-embedded:512", "--optimizer", "adam", "--steps", "10",
                "--batch", "32", "--eval-every", "5", "--eval-periodic-subset", "all", "--out", dir.resolve("all").toString(), "--quiet");
        assertEquals(0, all.code(), all.err());
        assertFalse(all.out().contains("evaluated on"), all.out());
        List<String> a = Files.readAllLines(dir.resolve("auto").resolve("evaluations.csv")), b = Files.readAllLines(dir.resolve("all").resolve("evaluations.csv"));
        assertEquals(a.size(), b.size());
        assertNotEquals(a.get(1), b.get(1), "step 5: a subset and the whole split give different numbers");
        assertEquals(a.get(a.size() - 1), b.get(b.size() - 1), "the final evaluation is on the whole split either way");
        Result bad = run("train", "--model", "mlp:784-8-10", "--data", "fashion-mnist-embedded:512", "--steps", "2", "--eval-periodic-subset", "some", "--quiet");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--eval-periodic-subset = some is not a periodic evaluation size; valid: auto"), bad.err());
    }

    @Test void zooModelsTrainByNameOnImagesAndText(@TempDir Path dir) throws IOException {
        for (String model : new String[]{"cnn", "resnet18:none", "mixer", "vit", "lstm"}) {
            Result r = run("train", "--model", model, "--data", "fashion-mnist-embedded:32", "--optimizer", "adam", "--steps", "2",
                    "--batch", "16", "--eval-every", "0", "--eval-subset", "64", "--out", dir.resolve(model.replace(':', '-')).toString(), "--quiet");
            assertEquals(0, r.code(), model + ": " + r.err());
            assertTrue(r.out().contains("evaluated on the first 64 of 1024 test examples"), model + ": " + r.out());
            JsonNode config = new ObjectMapper().readTree(dir.resolve(model.replace(':', '-')).resolve("run.json").toFile()).get("config");
            assertEquals("64 of 1024", config.get("evaluation_test_examples").asText(), model);
            assertEquals("32 of 32", config.get("evaluation_train_examples").asText(), model);
            assertTrue(r.out().contains("COMPLETED after 2 steps"), model + ": " + r.out());
        }
        for (String model : new String[]{"nanolm", "lstm"}) {
            Result r = run("train", "--model", model, "--data", "text-embedded:16:32", "--optimizer", "adam", "--lr", "3e-3", "--steps", "3",
                    "--batch", "8", "--eval-every", "0", "--eval-subset", "64", "--out", dir.resolve("text-" + model).toString(), "--quiet");
            assertEquals(0, r.code(), model + " on text: " + r.err());
            assertTrue(r.out().contains("blocks of 16"), r.out());
            assertTrue(r.out().contains("COMPLETED after 3 steps"), r.out());
        }
    }

    @Test void configReRunsASavedRunWithIdenticalMetrics(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        Result first = run("train", "--model", "mlp:784-16-10", "--data", "fashion-mnist-embedded:256", "--optimizer", "cdat", "--base", "adam",
                "--beta1", "0.8", "--scale", "1.5", "--steps", "6", "--batch", "32", "--seed", "5", "--track", "sharpness:every=2,iters=20",
                "--eval-every", "3", "--out", a.toString(), "--quiet");
        assertEquals(0, first.code(), first.err());
        JsonNode spec = new ObjectMapper().readTree(a.resolve("run.json").toFile()).get("config").get("spec");
        assertEquals("cdat", spec.get("optimizer").get("name").asText());
        assertEquals(0.8, spec.get("optimizer").get("base").get("beta1").asDouble());
        assertEquals(1.5, spec.get("optimizer").get("scale").asDouble());
        Result again = run("train", "--config", a.resolve("run.json").toString(), "--out", b.toString(), "--quiet");
        assertEquals(0, again.code(), again.err());
        List<String> la = Files.readAllLines(a.resolve("metrics.csv")), lb = Files.readAllLines(b.resolve("metrics.csv"));
        assertEquals(la.size(), lb.size());
        assertEquals(la.get(0), lb.get(0));
        for (int i = 1; i < la.size(); i++) {
            String[] ra = la.get(i).split(",", -1), rb = lb.get(i).split(",", -1);
            assertEquals(ra[2], rb[2], "loss of row " + i);
            assertEquals(ra[3], rb[3], "lr of row " + i);
        }
        assertError(run("train", "--config", a.resolve("run.json").toString(), "--steps", "3"), "do not combine it with --steps");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"optimizer\": {\"name\": \"adam\", \"lr\": -2}}");
        assertError(run("train", "--config", bad.toString()), "optimizer: adam: lr = -2.0 must be ≥ 0 and finite (valid: [0, ∞))");
        Files.writeString(bad, "{\"optimizer\": {\"name\": \"adam\", \"betas\": 0.9}}");
        assertError(run("train", "--config", bad.toString()), "optimizer.betas: unknown field of optimizer 'adam'; valid fields: name, lr, beta1, beta2, eps, weightDecay");
        Files.writeString(bad, "{\"steps\": 2.5}");
        assertError(run("train", "--config", bad.toString()), "steps = 2.5 is not an integer (valid: 1, 2, …)");
    }

    @Test void infoReportsTheBackendTheBlasAndTheFusedKernels() {
        Result r = run("info");
        assertEquals(0, r.code(), r.err());
        // the test JVM runs with --add-modules jdk.incubator.vector (parent pom), as the launcher does
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("ND4J backend:") && l.contains("CPU")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("elementwise:") && l.contains("fused Vector API kernels") && l.contains("float lanes")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("BLAS:") && l.contains("thread")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("off-heap limit:") && l.contains("GiB")), r.out());
        // the test JVM, like the launcher, runs with -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 (parent pom)
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("RSS check:") && l.contains("off")), r.out());
        // the allocator settings and the convolution backward they select follow the process's GLIBC_TUNABLES (the
        // launcher sets pom.xml's; the tests run with glibc's defaults unless the caller set it)
        String tunables = System.getenv("GLIBC_TUNABLES");
        boolean settings = tunables != null && tunables.contains("glibc.malloc.hugetlb=1");
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("allocator:")
                && (settings ? l.contains("GLIBC_TUNABLES=" + tunables) : l.contains("glibc defaults") && l.contains("./tuneless sets GLIBC_TUNABLES"))), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("conv backward:")
                && (settings ? l.contains("conv2d_bp (oneDNN), with the allocator settings") : l.contains("deconv2d + swapped conv2d"))), r.out());
    }

    @Test void listPrintsEachCatalogWithTypesDefaultsAndRanges() {
        Result r = run("list", "optimizers");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ecco — ECCO-DNN"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("--eta") && l.contains("number") && l.contains("default 0.3") && l.contains("valid (0, ∞)")), r.out());
        for (String kind : new String[]{"models", "data", "losses", "trackers"}) {
            Result k = run("list", kind);
            assertEquals(0, k.code(), k.err());
            assertFalse(k.out().isBlank(), kind);
        }
        assertTrue(run("list", "models").out().contains("--widths"));
        assertTrue(run("list", "data").out().contains("fashion-mnist — "));
        assertTrue(run("list", "trackers").out().contains("--every"));
        assertError(run("list", "optimisers"), "unknown catalog 'optimisers'; valid: optimizers, models, data, losses, trackers, schedules");
    }

    @Test void helpListsTheOptions() {
        Result r = run("train", "--help");
        assertEquals(0, r.code());
        for (String opt : new String[]{"--model", "--data", "--optimizer", "--lr", "--steps", "--batch", "--loss", "--seed", "--out", "--config",
                "--eta", "--base", "--scale", "--weight-decay", "--max-trials", "--reference-compat"}) {
            assertTrue(r.out().contains(opt), "help lacks " + opt);
        }
    }

    private static void assertError(Result r, String expected) {
        assertTrue(r.code() != 0, "exit code was 0 for: " + r.err());
        assertTrue(r.err().contains(expected), "stderr was: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line expected: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace expected");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
