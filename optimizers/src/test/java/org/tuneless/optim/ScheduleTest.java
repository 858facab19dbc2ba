package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.tuneless.catalog.Component;
import org.tuneless.objective.Quadratic;
import org.tuneless.optim.schedule.Schedule;
import org.tuneless.optim.schedule.Schedules;
import org.tuneless.run.RunSpec;

/** Learning-rate schedules: values by hand, composition, spec forms, and the {@link Scheduled} wrapper on the quadratic. */
class ScheduleTest {

    static final double TOL = 1e-15;

    @Test void warmupRampsLinearlyFromOneOverLToOneAndHolds() {
        Schedule w = Schedule.warmup(4);
        assertEquals(0.25, w.multiplier(0, 100), TOL);
        assertEquals(0.5, w.multiplier(1, 100), TOL);
        assertEquals(0.75, w.multiplier(2, 100), TOL);
        assertEquals(1.0, w.multiplier(3, 100), TOL);
        assertEquals(1.0, w.multiplier(50, 100), TOL);  // after the last phase: its last value
    }

    @Test void cosineStartsAtOneHitsTheMidpointAndEndsNearFinal() {
        Schedule c = Schedule.cosine(0.1);
        assertEquals(1.0, c.multiplier(0, 100), TOL);
        assertEquals((1 + 0.1) / 2, c.multiplier(50, 100), TOL);
        assertEquals(0.1 + 0.9 * (1 + Math.cos(Math.PI * 99 / 100)) / 2, c.multiplier(99, 100), TOL);
        assertEquals(0.1 + 0.9 * (1 + Math.cos(Math.PI * 25 / 100)) / 2, c.multiplier(25, 100), TOL);
        assertEquals(0.5, Schedule.cosine(0).multiplier(5, 10), TOL);
    }

    @Test void linearAndStepDecay() {
        assertEquals(0.5, Schedule.linear(0).multiplier(5, 10), TOL);
        assertEquals(1 - 0.8 * 3 / 10.0, Schedule.linear(0.2).multiplier(3, 10), TOL);
        Schedule s = Schedule.step(10, 0.5);
        assertEquals(1.0, s.multiplier(0, 100), TOL);
        assertEquals(1.0, s.multiplier(9, 100), TOL);
        assertEquals(0.5, s.multiplier(10, 100), TOL);
        assertEquals(0.25, s.multiplier(25, 100), TOL);
        assertEquals(0.125, s.multiplier(39, 100), TOL);
        assertEquals(1.0, Schedule.constant().multiplier(7, 10), 0);
    }

    @Test void warmupStableDecayHasItsPlateauAndLinearDecayOverTheLastFraction() {
        Schedule s = Schedule.wsd(10, 0.2, 0);  // 100 steps: warmup 0..9, stable 10..79, decay 80..99
        assertEquals(0.1, s.multiplier(0, 100), TOL);
        assertEquals(0.6, s.multiplier(5, 100), TOL);
        assertEquals(1.0, s.multiplier(9, 100), TOL);
        for (int t = 10; t < 80; t++) assertEquals(1.0, s.multiplier(t, 100), 0, "plateau at " + t);
        assertEquals(1.0, s.multiplier(80, 100), TOL);
        assertEquals(0.5, s.multiplier(90, 100), TOL);
        assertEquals(0.05, s.multiplier(99, 100), TOL);
    }

    @Test void phasesFollowEachOther() {
        Schedule s = Schedule.warmup(10).then(Schedule.cosine(0));  // 110 steps: cosine over the last 100
        assertEquals(0.1, s.multiplier(0, 110), TOL);
        assertEquals(1.0, s.multiplier(9, 110), TOL);
        assertEquals(1.0, s.multiplier(10, 110), TOL);
        assertEquals(0.5, s.multiplier(60, 110), TOL);
        Schedule three = Schedule.constant(1).forSteps(5).then(Schedule.step(2, 0.5).forSteps(4)).then(Schedule.linear(0));
        assertEquals(1.0, three.multiplier(4, 19), TOL);
        assertEquals(0.5, three.multiplier(7, 19), TOL);
        assertEquals(1.0, three.multiplier(9, 19), TOL);   // linear over the rest (10 steps) starts at 1
        assertEquals(0.5, three.multiplier(14, 19), TOL);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedule.cosine(0).then(Schedule.linear(0)));
        assertTrue(e.getMessage().contains("at most one phase"), e.getMessage());
    }

    @Test void commandLineFormsBuildTheSameSchedules() {
        assertSame(Schedule.warmup(100).then(Schedule.cosine(0)), Schedules.build(Schedules.parse("cosine:warmup=100")), 1000);
        assertSame(Schedule.wsd(100, 0.2, 0), Schedules.build(Schedules.parse("wsd:warmup=100,decay=0.2")), 1000);
        assertSame(Schedule.step(100, 0.5), Schedules.build(Schedules.parse("step:every=100,factor=0.5")), 1000);
        assertSame(Schedule.linear(0), Schedules.build(Schedules.parse("linear")), 1000);
        assertSame(Schedule.warmup(50).then(Schedule.cosine(0.1)), Schedules.build(Schedules.parse("warmup:steps=50+cosine:final=0.1")), 1000);
        assertSame(Schedule.warmup(50), Schedules.build(Schedules.parse("warmup:50")), 200);
        assertEquals(List.of(), Schedules.parse("none"));
        assertEquals(List.of(), Schedules.parse(null));
    }

    static void assertSame(Schedule expected, Schedule actual, long total) {
        for (long t = 0; t < total; t++) assertEquals(expected.multiplier(t, total), actual.multiplier(t, total), 0, "step " + t + " of " + total);
    }

    @Test void badSpecsAreRefusedNamingFieldValueAndRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedules.parse("cosine:final=1.5"));
        assertTrue(e.getMessage().contains("final") && e.getMessage().contains("1.5") && e.getMessage().contains("[0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedules.parse("step:factor=2"));
        assertTrue(e.getMessage().contains("factor") && e.getMessage().contains("(0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedules.parse("wsd:decay=0"));
        assertTrue(e.getMessage().contains("decay") && e.getMessage().contains("(0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedules.parse("warmup:steps=0"));
        assertTrue(e.getMessage().contains("steps") && e.getMessage().contains("1, 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedules.parse("exponential"));
        assertTrue(e.getMessage().contains("unknown schedule 'exponential'") && e.getMessage().contains("cosine"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedules.parse("cosine+linear"));
        assertTrue(e.getMessage().contains("at most one phase"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RunSpec.fromJson("{\"model\": {\"name\": \"mlp\", \"widths\": [784, 16, 10]}, \"schedule\": [{\"name\": \"cosine\", \"final\": -0.5}]}"));
        assertTrue(e.getMessage().contains("schedule[0]") && e.getMessage().contains("final") && e.getMessage().contains("-0.5")
                && e.getMessage().contains("[0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RunSpec.fromJson("{\"model\": {\"name\": \"mlp\", \"widths\": [784, 16, 10]}, \"schedule\": [{\"name\": \"cosine\", \"warmupp\": 5}]}"));
        assertTrue(e.getMessage().contains("schedule[0].warmupp") && e.getMessage().contains("warmup"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RunSpec.fromJson("{\"model\": {\"name\": \"mlp\", \"widths\": [784, 16, 10]}, \"schedule\": 5}"));
        assertTrue(e.getMessage().contains("schedule = 5"), e.getMessage());
    }

    @Test void aRunSpecWithAScheduleRoundTripsThroughJsonAndPrintsAsDsl() {
        List<Component> sched = Schedules.parse("warmup:steps=100+cosine:final=0.1");
        RunSpec s = RunSpec.defaults().withSchedule(sched).withSteps(1000);
        RunSpec back = RunSpec.fromJson(s.toJson());
        assertEquals(s, back);
        assertEquals(sched, back.schedule());
        assertTrue(s.toJson().contains("\"schedule\""), s.toJson());
        assertTrue(s.toDsl().contains("schedule = warmup(100) + cosine(final = 0.1)"), s.toDsl());
        assertEquals(1.0, back.learningRateSchedule().multiplier(99, 1000), TOL);
        // no schedule: no "schedule" field (run.json files of unscheduled runs are unchanged)
        assertTrue(!RunSpec.defaults().toJson().contains("schedule"));
        // a single object is accepted too
        RunSpec one = RunSpec.fromJson("{\"model\": {\"name\": \"mlp\", \"widths\": [784, 16, 10]}, \"schedule\": {\"name\": \"wsd\", \"warmup\": 10}}");
        assertEquals(Schedules.parse("wsd:warmup=10"), one.schedule());
    }

    // ---- the Scheduled wrapper

    @Test void aConstantScheduleReproducesTheUnscheduledTrajectoryBitForBit() {
        for (Optimizer base : List.<Optimizer>of(new Adam(0.1), new AdamW(0.05, 0.9, 0.999, 1e-8, 0.1), new Sgd(0.05, 0.9, 0, true, 0),
                new Prodigy(), new DAdaptAdam(), new DAdaptSgd(1, 0, 0, 1e-6, Double.POSITIVE_INFINITY))) {
            List<StepResult> plainR = new ArrayList<>(), schedR = new ArrayList<>();
            List<double[]> plain = OptimizerTesting.run(base, OptimizerTesting.quadratic(), 20, plainR);
            List<double[]> sched = OptimizerTesting.run(new Scheduled(base, Schedule.constant(), 20), OptimizerTesting.quadratic(), 20, schedR);
            for (int t = 0; t < 20; t++) {
                assertArrayEquals(plain.get(t), sched.get(t), 0, base.name() + " step " + t);
                assertEquals(plainR.get(t).learningRate(), schedR.get(t).learningRate(), 0, base.name() + " lr at step " + t);
            }
        }
    }

    @Test void cosineScheduledAdamFirstStepsByHand() {
        double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        int total = 4;
        List<StepResult> results = new ArrayList<>();
        List<double[]> got = OptimizerTesting.run(new Scheduled(new Adam(lr), Schedule.cosine(0), total), OptimizerTesting.quadratic(), 3, results);
        double[] h = {1, 10}, w = {1, 1}, m = new double[2], v = new double[2];
        for (int t = 0; t < 3; t++) {
            double mult = (1 + Math.cos(Math.PI * t / total)) / 2;
            for (int i = 0; i < 2; i++) {
                double g = h[i] * w[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.pow(b1, t + 1)), vHat = v[i] / (1 - Math.pow(b2, t + 1));
                w[i] -= lr * mult * mHat / (Math.sqrt(vHat) + eps);
            }
            assertArrayEquals(w, got.get(t), 1e-14, "step " + t);
            assertEquals(lr * mult, results.get(t).learningRate(), 1e-17, "the reported lr is the scheduled one at step " + t);
            assertEquals(mult, results.get(t).diagnostics().get(org.tuneless.metrics.Metrics.SCHEDULE_MULTIPLIER), 0);
        }
        // step 0 by hand: Adam's first step is lr·sign(g) up to ε: w = 1 − 0.1·1/(1 + 1e-8) in both coordinates
        assertEquals(1 - 0.1 / (1 + 1e-8), got.get(0)[0], 1e-15);
        assertEquals(1 - 0.1 * 10 / (10 + 1e-8), got.get(0)[1], 1e-15);
    }

    @Test void prodigyAndDAdaptationScaleDTimesLr() {
        List<StepResult> r = new ArrayList<>();
        OptimizerTesting.run(new Scheduled(new Prodigy(), Schedule.warmup(4), 10), OptimizerTesting.quadratic(), 2, r);
        assertEquals(1e-6 * 0.25, r.get(0).learningRate(), 1e-22);   // d0·lr·(1/4)
        assertEquals(r.get(0).learningRate(), r.get(0).diagnostics().get(org.tuneless.metrics.Metrics.PRODIGY_DLR), 0);
        List<StepResult> d = new ArrayList<>();
        OptimizerTesting.run(new Scheduled(new DAdaptAdam(), Schedule.warmup(2), 10), OptimizerTesting.quadratic(), 1, d);
        assertEquals(1e-6 * 0.5, d.get(0).learningRate(), 1e-22);
    }

    @Test void optimizersWithoutALearningRateAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Scheduled(new Agd(), Schedule.cosine(0), 10));
        assertTrue(e.getMessage().contains("no learning rate") && e.getMessage().contains("prodigy"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Scheduled(new Adam(0.1), Schedule.cosine(0), 0));
        // wrappers follow their base
        assertTrue(new Lookahead(new Adam(0.1)).followsSchedule());
        assertTrue(!new Lookahead(new Agd()).followsSchedule());
    }

    @Test void theScheduledStateIsTheBaseStateAndRoundTrips() {
        Optimizer o = new Scheduled(new Adam(0.05), Schedule.warmup(3).then(Schedule.cosine(0.1)), 17);
        assertEquals(new Adam(0.05).init(OptimizerTesting.init(o, OptimizerTesting.quadratic()).layout(), org.nd4j.linalg.api.buffer.DataType.DOUBLE).describe(),
                OptimizerTesting.init(o, OptimizerTesting.quadratic()).describe());
        WrapperTesting.assertStateRoundTrip(o, OptimizerTesting::quadratic);
    }

    static Quadratic q() { return OptimizerTesting.quadratic(); }
}
