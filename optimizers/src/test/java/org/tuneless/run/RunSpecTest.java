package org.tuneless.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.tuneless.catalog.Catalog;
import org.tuneless.catalog.Component;
import org.tuneless.catalog.Entry;
import org.tuneless.catalog.Param;
import org.tuneless.optim.Optimizers;
import org.tuneless.train.EvaluationMode;

import com.fasterxml.jackson.databind.ObjectMapper;

class RunSpecTest {

    /** Values for required parameters (no default). */
    static Map<String, Object> required(Entry<?> e) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Param p : e.params()) {
            if (p.defaultValue() != null) continue;
            switch (p.type()) {
                case INT_LIST -> m.put(p.name(), List.of(784, 16, 10));
                case STRING -> m.put(p.name(), "/some/where");
                default -> { }
            }
        }
        return m;
    }

    /** A valid value different from the parameter's default. */
    static Object other(Param p) {
        Object d = p.defaultValue();
        return switch (p.type()) {
            case DOUBLE -> {
                double def = d == null ? Double.NaN : (Double) d;  // an optional number (no default): any valid value
                for (double c : new double[]{def / 2, 0.5, 2.0, def + 1, 0.25}) {
                    if (c != def && (p.range() == null || p.range().contains(c))) yield c;
                }
                throw new AssertionError(p);
            }
            case INT -> d == null ? 7 : (Integer) d + 1;
            case BOOL -> !(Boolean) d;
            case ENUM -> p.choices().stream().filter(c -> !c.equals(d)).findFirst().orElseThrow();
            case INT_LIST -> List.of(3, 5);
            case STRING_LIST -> List.of("dense1.W");
            case STRING -> "/other/place";
            case SPEC -> p.nested().get().spec("adam", Map.of("lr", 0.003));
        };
    }

    @Test void everyCatalogEntryRoundTripsThroughJsonWithDefaultsAndNonDefaults() {
        int checked = 0;
        for (Map.Entry<String, Catalog<?>> c : Catalogs.all().entrySet()) {
            Catalog<?> catalog = c.getValue();
            for (Entry<?> e : catalog.entries()) {
                Component defaults = catalog.spec(e.name(), required(e));
                assertEquals(defaults, catalog.fromJson(catalog.toJson(defaults), "x"), e.name() + " with defaults");
                Map<String, Object> values = new LinkedHashMap<>(required(e));
                for (Param p : e.params()) values.put(p.name(), other(p));
                Component changed = catalog.spec(e.name(), values);
                if (!e.params().isEmpty()) assertNotEquals(defaults, changed, e.name());
                assertEquals(changed, catalog.fromJson(catalog.toJson(changed), "x"), e.name() + " with non-defaults");
                checked++;
            }
        }
        assertTrue(checked >= 14 + 8 + 6 + 2 + 4, "entries checked: " + checked);
    }

    @Test void aWholeRunSpecRoundTripsWithDeterministicKeyOrder() {
        RunSpec s = RunSpec.defaults()
                .withOptimizer(Optimizers.spec("cdat", Map.of("base", "adam", "scale", "1.5")))
                .withTracking(List.of(Catalogs.TRACKERS.spec("sharpness", Map.of("every", 5)), Catalogs.TRACKERS.spec("elr", Map.of("every", 10))))
                .withBatch(RunSpec.Batch.of(64)).withDtype("float64").withLabel("x").withEvaluation(RunSpec.Evaluation.every(7))
                .withAugmentation(new RunSpec.Augmentation(2, true));
        String json = s.toJson();
        assertEquals(s, RunSpec.fromJson(json));
        assertEquals(json, RunSpec.fromJson(json).toJson());
        assertTrue(json.indexOf("\"model\"") < json.indexOf("\"data\"") && json.indexOf("\"data\"") < json.indexOf("\"optimizer\""), json);
        assertTrue(json.contains("\"name\" : \"cdat\",\n    \"base\" : {\n      \"name\" : \"adam\""), json);
    }

    @Test void theEvaluationPointIsPartOfTheSpecInJsonAndDsl() {
        RunSpec live = RunSpec.defaults().withEvaluation(RunSpec.Evaluation.every(5).at(EvaluationMode.LIVE));
        String json = live.toJson();
        assertTrue(json.contains("\"at\" : \"live\""), json);
        assertEquals(EvaluationMode.LIVE, RunSpec.fromJson(json).evaluation().at());
        assertEquals(EvaluationMode.AVERAGE, RunSpec.fromJson("{\"evaluation\": {\"every\": 3}}").evaluation().at(), "average by default");
        assertEquals(EvaluationMode.LIVE, RunSpec.fromJson("{\"evaluation\": {\"at\": \"LIVE\"}}").evaluation().at());
        assertTrue(live.toDsl().contains("    evaluate(every = 5)\n    evaluateAt = EvaluateAt.Live\n"), live.toDsl());
        RunSpec sub = RunSpec.defaults().withEvaluation(RunSpec.Evaluation.every(0).subset(128));
        assertEquals(128, RunSpec.fromJson(sub.toJson()).evaluation().subset());
        assertTrue(sub.toDsl().contains("    evaluate(every = 0, subset = 128)\n"), sub.toDsl());
        assertEquals("evaluation.subset = -1 must be an integer ≥ 0 (0 = the whole split)", refused("{\"evaluation\": {\"subset\": -1}}"));
        assertTrue(refused("{\"evaluation\": {\"at\": \"middle\"}}").startsWith("evaluation.at = middle is not an evaluation point; valid: average ("));
    }

    @Test void periodicEvaluationsUseAFixedSubsetSizedFromTheTrainingBetweenThem() {
        RunSpec.Evaluation auto = RunSpec.Evaluation.every(50);
        assertEquals(RunSpec.Evaluation.AUTO, RunSpec.defaults().evaluation().periodicSubset(), "auto by default");
        // 50 steps × 128 examples between evaluations, two splits: 50·128/(4·2) = 800 examples per split
        assertEquals(800, auto.periodicExamples(10_000, 128));
        assertEquals(10_000, auto.finalExamples(10_000), "the final evaluation uses the whole split");
        assertEquals(700, auto.periodicExamples(700, 128), "never more than the split");
        assertEquals(256, RunSpec.Evaluation.every(1).periodicExamples(10_000, 16), "at least 256");
        assertEquals(10_000, RunSpec.Evaluation.every(0).periodicExamples(10_000, 16), "no periodic evaluations: nothing to size");
        assertEquals(1600, auto.withSplits(List.of("test")).periodicExamples(10_000, 128), "one split gets the whole budget");
        assertEquals(500, auto.subset(500).periodicExamples(10_000, 128), "a stated subset is used by every evaluation");
        assertEquals(10_000, auto.periodicSubset(RunSpec.Evaluation.ALL).periodicExamples(10_000, 128));
        assertEquals(300, auto.periodicSubset(300).periodicExamples(10_000, 128));
        assertEquals(200, auto.subset(200).periodicSubset(300).periodicExamples(10_000, 128), "at most the final evaluation's");
        // JSON: "auto" / "all" / a number, round trip and DSL text
        assertTrue(RunSpec.defaults().toJson().contains("\"periodic_subset\" : \"auto\""), RunSpec.defaults().toJson());
        RunSpec all = RunSpec.defaults().withEvaluation(auto.periodicSubset(RunSpec.Evaluation.ALL));
        assertEquals(RunSpec.Evaluation.ALL, RunSpec.fromJson(all.toJson()).evaluation().periodicSubset());
        assertTrue(all.toDsl().contains("    evaluate(every = 50, periodicSubset = PeriodicSubset.All)\n"), all.toDsl());
        RunSpec n = RunSpec.fromJson("{\"evaluation\": {\"every\": 5, \"periodic_subset\": 300}}");
        assertEquals(300, n.evaluation().periodicSubset());
        assertEquals(n.evaluation(), RunSpec.fromJson(n.toJson()).evaluation());
        assertTrue(n.toDsl().contains("periodicSubset = PeriodicSubset.of(300)"), n.toDsl());
        assertEquals(RunSpec.Evaluation.AUTO, RunSpec.fromJson("{\"evaluation\": {\"periodic_subset\": \"AUTO\"}}").evaluation().periodicSubset());
        assertTrue(refused("{\"evaluation\": {\"periodic_subset\": 0}}").startsWith("evaluation.periodic_subset = 0 is not a periodic evaluation size; valid: auto ("),
                refused("{\"evaluation\": {\"periodic_subset\": 0}}"));
        assertTrue(refused("{\"evaluation\": {\"periodic_subset\": true}}").startsWith("evaluation.periodic_subset = true must be"));
    }

    @Test void theDivergenceTestIsPartOfTheSpecInJsonDslAndTheRun() {
        assertFalse(RunSpec.defaults().toJson().contains("divergence"), "the default is not written (run.json files stay as they were)");
        RunSpec best = RunSpec.defaults().withDivergence(new RunSpec.Divergence(100, 50, "best"));
        String json = best.toJson();
        assertTrue(json.contains("\"divergence\" : {\n    \"factor\" : 100.0,\n    \"patience\" : 50,\n    \"relative_to\" : \"best\""), json);
        assertEquals(best.divergence(), RunSpec.fromJson(json).divergence());
        assertTrue(best.toDsl().contains("    divergence(factor = 100.0, patience = 50, relativeTo = DivergenceReference.Best)\n"), best.toDsl());
        RunSpec off = RunSpec.fromJson("{\"divergence\": {\"factor\": \"off\"}}");
        assertEquals(Double.POSITIVE_INFINITY, off.divergence().factor());
        assertEquals(20, off.divergence().patience(), "unnamed fields keep their defaults");
        assertTrue(off.toJson().contains("\"factor\" : \"off\""), off.toJson());
        assertEquals(off.divergence(), RunSpec.fromJson(off.toJson()).divergence());
        assertTrue(off.toDsl().contains("divergence(factor = Double.POSITIVE_INFINITY, patience = 20)"), off.toDsl());
        assertTrue(refused("{\"divergence\": {\"factor\": 0.5}}").startsWith("divergence.factor = 0.5 must be > 1"));
        assertTrue(refused("{\"divergence\": {\"patience\": 0}}").startsWith("divergence.patience = 0 must be ≥ 1"));
        assertTrue(refused("{\"divergence\": {\"relative_to\": \"last\"}}").startsWith("divergence.relative_to = 'last'; valid: first"));
        assertTrue(refused("{\"divergence\": {\"speed\": 1}}").contains("speed"));
        // the spec reaches the trainer: sgd at lr 3 on the embedded subset explodes (finite) and the test decides
        RunSpec hot = RunSpec.fromJson("{\"model\": {\"name\": \"mlp\", \"widths\": [784, 16, 10]}, \"data\": {\"name\": \"fashion-mnist\", \"source\": \"embedded\", \"subset\": 256},"
                + " \"optimizer\": {\"name\": \"sgd\", \"lr\": 3}, \"steps\": 40, \"batch\": 64, \"loss\": {\"name\": \"mse\"}}");
        org.tuneless.train.TrainingRun strict = hot.withDivergence(new RunSpec.Divergence(1.5, 3, "first")).run();
        org.tuneless.train.TrainingRun lax = hot.withDivergence(new RunSpec.Divergence(Double.POSITIVE_INFINITY, 1, "first")).run();
        assertEquals(org.tuneless.train.TrainingStatus.DIVERGED, strict.status(), strict.statusMessage());
        assertTrue(strict.statusMessage().startsWith("the loss stayed above 1.5× its first value"), strict.statusMessage());
        assertTrue(lax.status() != org.tuneless.train.TrainingStatus.DIVERGED || !lax.statusMessage().startsWith("the loss stayed"), lax.statusMessage());
    }

    @Test void mechanicRunsANamedBaseAtLearningRateOneAsItsAuthorsDoUnlessTheLrIsGiven() {
        Component byDefault = Optimizers.spec("mechanic", Map.of());
        assertEquals(1.0, ((Component) byDefault.get("base")).get("lr"), "mechanic() = sgd at lr 1");
        assertEquals("sgd", ((Component) byDefault.get("base")).name());
        Component adam = Optimizers.spec("mechanic", Map.of("base", "adam"));
        assertEquals(1.0, ((Component) adam.get("base")).get("lr"), "--base adam without --lr");
        assertEquals(0.999, ((Component) adam.get("base")).get("beta2"), "other base defaults stay the base's own");
        assertEquals(0.01, ((Component) Optimizers.spec("mechanic", Map.of("base", "adam", "lr", "0.01")).get("base")).get("lr"));
        Component json = RunSpec.fromJson("{\"optimizer\": {\"name\": \"mechanic\", \"base\": {\"name\": \"adam\"}}}").optimizer();
        assertEquals(1.0, ((Component) json.get("base")).get("lr"), "a JSON base without lr");
        assertEquals(0.001, ((Component) Optimizers.spec("cdat", Map.of("base", "adam")).get("base")).get("lr"), "other tuners keep the base's lr");
        assertEquals("mechanic()", Optimizers.CATALOG.toDsl(byDefault));
        assertEquals("mechanic(base = adam(lr = 1.0))", Optimizers.CATALOG.toDsl(adam));
    }

    static String refused(String json) {
        return assertThrows(IllegalArgumentException.class, () -> RunSpec.fromJson(json)).getMessage();
    }

    @Test void aJsonSpecWithAnUnknownFieldAWrongTypeOrAValueOutOfRangeIsRefusedNamingFieldValueAndRange() {
        assertEquals("stepz: unknown field of a run spec; valid fields: model, data, loss, optimizer, steps, batch, seed, dtype, label, tracking, "
                + "evaluation, augmentation, output, extras, schedule, divergence", refused("{\"stepz\": 3}"));
        assertEquals("evaluation.when: unknown field; valid fields: every, splits, at, subset, periodic_subset", refused("{\"evaluation\": {\"when\": 3}}"));
        assertEquals("optimizer.lrr: unknown field of optimizer 'adam'; valid fields: name, lr, beta1, beta2, eps, weightDecay",
                refused("{\"optimizer\": {\"name\": \"adam\", \"lrr\": 0.1}}"));
        assertEquals("steps = \"ten\" is not an integer (valid: 1, 2, …)", refused("{\"steps\": \"ten\"}"));
        assertEquals("optimizer.lr = \"fast\" is not a number (valid: [0, ∞))", refused("{\"optimizer\": {\"name\": \"adam\", \"lr\": \"fast\"}}"));
        assertEquals("optimizer: adam: lr = -1.0 must be ≥ 0 and finite (valid: [0, ∞))", refused("{\"optimizer\": {\"name\": \"adam\", \"lr\": -1}}"));
        assertEquals("optimizer.base: adam: beta2 = 1.5 is outside [0, 1) (valid: [0, 1))",
                refused("{\"optimizer\": {\"name\": \"cdat\", \"base\": {\"name\": \"adam\", \"beta2\": 1.5}}}"));
        assertTrue(refused("{\"optimizer\": {\"name\": \"cdat\", \"base\": {\"name\": \"agd\"}}}").contains("cdat: unknown base 'agd'; valid bases: gd, sgd"));
        assertEquals("model.widths = [784,\"a\"] is not a list of integers", refused("{\"model\": {\"name\": \"mlp\", \"widths\": [784, \"a\"]}}"));
        assertEquals("tracking[0]: sharpness: every = -2 must be ≥ 0 (valid: 0, 1, …)", refused("{\"tracking\": [{\"name\": \"sharpness\", \"every\": -2}]}"));
        assertEquals("data: fashion-mnist: subset = 0 must be a positive integer (valid: 1, 2, …)", refused("{\"data\": {\"name\": \"fashion-mnist\", \"subset\": 0}}"));
        assertTrue(refused("{\"optimizer\": {\"name\": \"adamm\"}}").startsWith("optimizer.name: unknown optimizer 'adamm'; valid: sgd, momentum"));
        assertEquals("batch = 0 must be a positive integer or \"full\"", refused("{\"batch\": 0}"));
        assertEquals("dtype = \"float16\" is not one of float32, float64", refused("{\"dtype\": \"float16\"}"));
    }

    @Test void specsPrintAsTheDslCodeThatBuildsThem() {
        Component o = Optimizers.CATALOG.spec("cdat", Map.of("base", Optimizers.CATALOG.spec("adam", Map.of("lr", 0.003)), "scale", 1.5));
        assertEquals("cdat(base = adam(lr = 0.003), scale = 1.5)", Optimizers.CATALOG.toDsl(o));
        assertEquals("lineSearch(cPlus = 2.0)", Optimizers.CATALOG.toDsl(Optimizers.spec("linesearch", Map.of("c-plus", "2"))));
        assertEquals("mlp(784, 32, 10, activation = Activation.Tanh, init = Init.GLOROT)", Catalogs.MODELS.toDsl(
                Catalogs.MODELS.spec("mlp", Map.of("widths", List.of(784, 32, 10), "activation", "tanh", "init", "glorot"))));
        String dsl = RunSpec.defaults().withOptimizer(o).toDsl();
        assertTrue(dsl.contains("    optimizer = cdat(base = adam(lr = 0.003), scale = 1.5)\n"), dsl);
        assertTrue(dsl.startsWith("train {\n    model = mlp(784, 256, 256, 10)\n    data = fashionMnist()\n"), dsl);
    }

    @Test void commandLineTextForwardsATunersBaseOptionsToItsBase() {
        Component c = Optimizers.spec("cdat", Map.of("base", "adam", "beta1", "0.95", "ema", "0.9"));
        assertEquals(0.95, ((Component) c.get("base")).get("beta1"));
        assertEquals(0.9, c.get("ema"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Optimizers.spec("cdat", Map.of("lr", "0.1"))).getMessage()
                .contains("optimizer 'cdat' does not take option 'lr'"));
    }

    @Test void theListOfACatalogShowsTypeDefaultRangeAndDoc() {
        String list = Optimizers.CATALOG.describe();
        assertTrue(list.contains("adam — Adam (torch.optim.Adam)"), list);
        assertTrue(list.lines().anyMatch(l -> l.contains("--lr") && l.contains("default 0.001") && l.contains("valid [0, ∞)") && l.contains("learning rate")), list);
        assertTrue(list.lines().anyMatch(l -> l.contains("--base") && l.contains("default gd") && l.contains("gd|sgd|momentum")), list);
    }

    @Test void runsBuiltByHandHaveNoSpec() {
        var net = org.tuneless.nn.Models.mlp(4, 3);
        var data = org.tuneless.data.Dataset.classification(org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 8, 4), new int[]{0, 1, 2, 0, 1, 2, 0, 1}, 3);
        var run = org.tuneless.train.Trainer.builder().network(net).loss(new org.tuneless.nn.SoftmaxCrossEntropy()).fullBatch(data.fullBatch())
                .optimizer(Optimizers.create("sgd", Map.of())).steps(2).build().run();
        assertTrue(run.spec().isEmpty());
        assertTrue(RunSpec.of(run).isEmpty());
    }

    @Test void aSpecRunIsReproducibleFromItsRunJson() throws Exception {
        RunSpec s = RunSpec.defaults().withModel(Catalogs.MODELS.spec("mlp", Map.of("widths", List.of(784, 8, 10))))
                .withData(Catalogs.DATA.spec("fashion-mnist", Map.of("subset", 64))).withSteps(4).withBatch(RunSpec.Batch.of(16))
                .withOptimizer(Optimizers.spec("agd", Map.of()));
        var run = s.run();
        assertEquals(s, RunSpec.of(run).orElseThrow());
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("spec");
        run.writeTo(dir);
        var meta = new ObjectMapper().readTree(dir.resolve("run.json").toFile());
        assertEquals("agd", meta.get("config").get("spec").get("optimizer").get("name").asText());
        RunSpec again = RunSpec.read(dir.resolve("run.json"));
        assertEquals(s, again);
        var rerun = again.run();
        List<Double> a = new ArrayList<>();
        List<Double> b = new ArrayList<>();
        for (double v : run.series("loss")) a.add(v);
        for (double v : rerun.series("loss")) b.add(v);
        assertEquals(a, b);
    }
}
