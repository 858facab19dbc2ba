package org.tuneless.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.tuneless.optim.Optimizers;

class EarlyStoppingTest {

    /** Hyperband with R = 81, η = 3 is Table 1 of Li et al. (arXiv 1603.06560): (n_i, r_i) per bracket. */
    @Test void hyperbandBracketsAreThePapersTable() {
        List<EarlyStopping.Bracket> b = EarlyStopping.hyperband(81, 1, 3);
        assertEquals(List.of(4, 3, 2, 1, 0), b.stream().map(EarlyStopping.Bracket::s).toList());
        assertEquals(List.of("81x1", "27x3", "9x9", "3x27", "1x81"), text(b.get(0)));
        assertEquals(List.of("34x3", "11x9", "3x27", "1x81"), text(b.get(1)));
        assertEquals(List.of("15x9", "5x27", "1x81"), text(b.get(2)));
        assertEquals(List.of("8x27", "2x81"), text(b.get(3)));
        assertEquals(List.of("5x81"), text(b.get(4)));
        assertEquals(List.of(10L, 30L, 90L, 100L), EarlyStopping.rungSteps(10, 100, 3));
        assertEquals(List.of(5L), EarlyStopping.rungSteps(5, 5, 3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EarlyStopping.rungSteps(10, 100, 1)).getMessage().contains("η = 1 must be ≥ 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EarlyStopping.hyperband(5, 10, 3)).getMessage().contains("1 ≤ minSteps ≤ maxSteps"));
    }

    static List<String> text(EarlyStopping.Bracket b) {
        return b.rungs().stream().map(r -> r.trials() + "x" + r.steps()).toList();
    }

    /** Trials that do not train: configuration c (its seed) has the loss curve a_c + b_c / steps. */
    static final class Curves implements TrialExecutor {
        final double[] a, b;
        final List<String> order = new ArrayList<>();

        Curves(double[] a, double[] b) { this.a = a; this.b = b; }

        @Override public Execution start(List<Trial> trials, Consumer<TrialResult> onResult) {
            List<TrialResult> out = new ArrayList<>();
            for (Trial t : trials) {
                int c = (int) t.spec().seed();
                long s = t.spec().steps();
                double loss = a[c] + b[c] / s;
                TrialResult r = new TrialResult(t.id(), t.spec().toJson(), "COMPLETED", "", s, 0, loss, loss, List.of(), List.of(), List.of());
                order.add(t.id());
                out.add(r);
                onResult.accept(r);
            }
            return new Execution() {
                @Override public List<TrialResult> await() { return out; }
                @Override public void cancel() {}
            };
        }
    }

    static List<RunSpec> configurations(int n) {
        List<RunSpec> out = new ArrayList<>();
        for (int c = 0; c < n; c++) out.add(RunSpec.defaults().withOptimizer(Optimizers.CATALOG.spec("sgd", Map.of("lr", 0.01))).withSeed(c));
        return out;
    }

    /** Hand-worked: 9 flat curves (values 5 3 8 1 9 2 7 4 6), η = 3, rungs 1, 3, 9 steps, one worker (see the comment). */
    @Test void ashaPromotesTheTopThirdAsynchronouslyAsWorkedByHand() throws Exception {
        double[] v = {5, 3, 8, 1, 9, 2, 7, 4, 6};
        Curves exec = new Curves(v, new double[9]);
        EarlyStopping.Result r = EarlyStopping.asha(configurations(9), exec, 1, 1, 9, 3, EarlyStopping::lastTestLoss);
        // c0, c1, c2 at rung 0; c1 is the top third of three → rung 1; c3 (best so far) → rung 1; with 6 results at rung 0
        // the top third is c3, c5 → c5 to rung 1; rung 1's top third (c3) → rung 2; then the rest start and nothing is left
        assertEquals(List.of("config=0/rung=0", "config=1/rung=0", "config=2/rung=0", "config=1/rung=1", "config=3/rung=0", "config=3/rung=1",
                "config=4/rung=0", "config=5/rung=0", "config=5/rung=1", "config=3/rung=2", "config=6/rung=0", "config=7/rung=0", "config=8/rung=0"), exec.order);
        assertEquals(9 * 1 + 3 * 3 + 9, r.totalSteps());
        assertEquals(3, r.winner());
        assertFalse(r.stopped(3));
        for (int c : new int[]{0, 1, 2, 4, 5, 6, 7, 8}) assertTrue(r.stopped(c), "configuration " + c + " stopped early");
        assertEquals(1, r.best().get(1).rung());
        assertEquals(2, r.topRung());
    }

    /**
     * 81 configurations, loss a + b/steps with a ∈ [0.1, 1.1), b ∈ [0, 1) (curves cross: early rankings differ from the
     * final one), rungs 3, 9, 27, 81 steps: ASHA finds grid search's winner with ≤ 40% of its steps.
     */
    @Test void ashaFindsTheBestConfigurationForAFractionOfTheGridsSteps() throws Exception {
        int n = 81;
        java.util.Random rng = new java.util.Random(7);
        double[] a = new double[n], b = new double[n];
        for (int c = 0; c < n; c++) {
            a[c] = 0.1 + rng.nextDouble();
            b[c] = rng.nextDouble();
        }
        long max = 81;
        int best = 0;
        for (int c = 1; c < n; c++) if (a[c] + b[c] / max < a[best] + b[best] / max) best = c;
        int crossings = 0;  // pairs whose order at 3 steps is not their order at 81 steps
        for (int c = 0; c < n; c++) for (int d = 0; d < n; d++) if ((a[c] + b[c] / 3 < a[d] + b[d] / 3) && (a[c] + b[c] / max > a[d] + b[d] / max)) crossings++;
        assertTrue(crossings > 100, crossings + " crossing pairs");
        for (int workers : new int[]{1, 4}) {
            EarlyStopping.Result r = EarlyStopping.asha(configurations(n), new Curves(a, b), workers, 3, max, 3, EarlyStopping::lastTestLoss);
            long grid = n * max;
            assertEquals(best, r.winner(), "workers " + workers);
            assertTrue(r.totalSteps() <= 0.4 * grid, "ASHA " + r.totalSteps() + " steps vs grid " + grid);
            assertEquals(n, r.best().size(), "every configuration started");
        }
    }

    /** Real trials: a diverging configuration ranks last and is stopped; ASHA runs on LocalExecutor. */
    @Test void ashaOnRealTrialsStopsTheDivergingConfiguration() throws Exception {
        RunSpec base = RunSpec.fromJson("""
                {"model": {"name": "mlp", "widths": [16, 16, 1]}, "data": {"name": "teacher-student", "samples": 128},
                 "loss": {"name": "mse"}, "batch": "full", "steps": 9, "evaluation": {"every": 0, "splits": ["test"]}}""");
        List<RunSpec> configs = new ArrayList<>();
        for (double lr : new double[]{1e6, 1e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1e-4, 3e-3, 3e-4}) configs.add(base.withOptimizer(Optimizers.CATALOG.spec("sgd", Map.of("lr", lr))));
        EarlyStopping.Result r = EarlyStopping.asha(configs, new LocalExecutor(1), 1, 1, 9, 3, EarlyStopping::lastTestLoss);
        assertTrue(r.stopped(0), "lr 1e6 is stopped at the first rung");
        assertTrue(r.best().get(0).value() > 1e3 * r.best().get(r.winner()).value(), r.best().get(0).toString());
        assertFalse(r.stopped(r.winner()));
        assertTrue(r.winner() != 0);
    }

    /**
     * Hyperband, R = 9, r_min = 1, η = 3 (arXiv 1603.06560, Algorithm 1), worked by hand: s_max = 2; bracket 2 takes
     * n = ⌈3/3·9⌉ = 9 configurations at 1 step, the best ⌊9/3⌋ = 3 at 3 steps, the best 1 at 9 steps; bracket 1 takes
     * n = ⌈3/2·3⌉ = 5 at 3 steps and the best ⌊5/3⌋ = 1 at 9; bracket 0 takes 3 at 9 steps. With 9 configurations the
     * brackets take c0…c8, then c0…c4 (cycling), then c5, c6, c7. Flat curves 5 3 8 1 9 2 7 4 6: bracket 2 keeps
     * c3 (1), c5 (2), c1 (3), then c3; bracket 1 keeps c3. Steps: 9·1 + 3·3 + 9 + 5·3 + 9 + 3·9 = 78.
     */
    @Test void hyperbandRunsEachBracketAsSuccessiveHalvingAsWorkedByHand() throws Exception {
        double[] v = {5, 3, 8, 1, 9, 2, 7, 4, 6};
        for (int workers : new int[]{1, 3}) {
            Curves exec = new Curves(v, new double[9]);
            List<EarlyStopping.Outcome> seen = new ArrayList<>();
            EarlyStopping.HyperbandResult r = EarlyStopping.hyperband(configurations(9), exec, workers, 1, 9, 3, EarlyStopping::lastTestLoss,
                    EarlyStopping.TrialIds.DEFAULT, seen::add);
            assertEquals(List.of(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8), List.of(0, 1, 2, 3, 4), List.of(5, 6, 7)), r.brackets());
            List<String> ids = r.trials().stream().map(o -> "b" + o.bracket() + "c" + o.configuration() + "r" + o.rung() + "x" + o.steps()).toList();
            assertEquals(List.of("b2c0r0x1", "b2c1r0x1", "b2c2r0x1", "b2c3r0x1", "b2c4r0x1", "b2c5r0x1", "b2c6r0x1", "b2c7r0x1", "b2c8r0x1",
                    "b2c3r1x3", "b2c5r1x3", "b2c1r1x3", "b2c3r2x9",
                    "b1c0r0x3", "b1c1r0x3", "b1c2r0x3", "b1c3r0x3", "b1c4r0x3", "b1c3r1x9",
                    "b0c5r0x9", "b0c6r0x9", "b0c7r0x9"), ids, "workers " + workers);
            assertEquals(r.trials(), seen, "every trial reported as it is recorded");
            assertEquals(78, r.totalSteps());
            assertEquals(3, r.winner().orElseThrow().configuration());
            assertEquals(1.0, r.winner().orElseThrow().value());
            for (EarlyStopping.Outcome o : r.trials()) {
                boolean stopped = o.bracket() == 2 && (o.rung() == 0 && !List.of(1, 3, 5).contains(o.configuration()) || o.rung() == 1 && o.configuration() != 3)
                        || o.bracket() == 1 && o.rung() == 0 && o.configuration() != 3;
                assertEquals(stopped, r.stopped(o), o.toString());
            }
        }
    }

    /** A failed or diverged configuration ranks last and is never promoted; the bracket goes on with the others. */
    @Test void hyperbandNeverPromotesAFailedTrial() throws Exception {
        double[] v = {Double.NaN, 3, 8};
        EarlyStopping.HyperbandResult r = EarlyStopping.hyperband(configurations(3), new Curves(v, new double[3]), 1, 3, 9, 3,
                EarlyStopping::lastTestLoss, EarlyStopping.TrialIds.DEFAULT, null);
        // s_max = 1: bracket 1 = 3 configurations at 3 steps, the best 1 at 9; bracket 0 = 2 at 9 (c0, c1 after cycling)
        assertEquals(List.of("bracket=1/config=0/rung=0", "bracket=1/config=1/rung=0", "bracket=1/config=2/rung=0", "bracket=1/config=1/rung=1",
                "bracket=0/config=0/rung=0", "bracket=0/config=1/rung=0"), r.trials().stream().map(o -> o.result().id()).toList());
        assertEquals(1, r.winner().orElseThrow().configuration());
    }
}
