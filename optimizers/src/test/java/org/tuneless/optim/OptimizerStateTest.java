package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.data.BatchStream;
import org.tuneless.nn.Init;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.objective.Batch;
import org.tuneless.optim.tuner.StepSizeTuner;
import org.tuneless.train.StepRecord;
import org.tuneless.train.Trainer;
import org.tuneless.train.TrainingRun;

/**
 * Explicit optimizer state: a run interrupted after k steps and resumed from a copy of the state and the parameters
 * (with fresh optimizer and network objects) continues bit for bit like the uninterrupted run, for every optimizer of
 * the catalog, the tuners on an Adam base and ECCO's reference mode; states list their slots by parameter name.
 */
class OptimizerStateTest {

    static final int K = 7;
    static final int MORE = 10;

    static Stream<Arguments> everyOptimizer() {
        List<Arguments> all = new ArrayList<>();
        for (String name : Optimizers.names()) all.add(Arguments.of(name, Map.of()));
        for (String tuner : List.of("cdat", "greedy", "linesearch", "polyak", "hypergradient", "sharpness-rule")) {
            all.add(Arguments.of(tuner, Map.of("base", "adam")));
        }
        all.add(Arguments.of("cdat", ordered("base", "momentum", "ema", "0.9", "every", "3")));
        all.add(Arguments.of("ecco", Map.of("reference", "true")));
        all.add(Arguments.of("sgd", Map.of("momentum", "0.9")));
        all.add(Arguments.of("adagrad", Map.of("lr-decay", "0.1")));
        return all.stream();
    }

    static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    /** The same K + MORE batches for every run (a minibatch stream positioned anywhere, by construction). */
    static List<Batch> batches() {
        Random rng = new Random(11);
        List<Batch> out = new ArrayList<>();
        for (int b = 0; b < K + MORE; b++) {
            double[][] x = new double[16][6], t = new double[16][3];
            for (int i = 0; i < 16; i++) {
                for (int j = 0; j < 6; j++) x[i][j] = rng.nextGaussian();
                t[i][rng.nextInt(3)] = 1;
            }
            out.add(new Batch(Nd4j.createFromArray(x), Nd4j.createFromArray(t)));
        }
        return out;
    }

    static BatchStream from(List<Batch> batches, int first) {
        return new BatchStream() {
            private int next = first;

            @Override public Batch next() { return batches.get(next++); }

            @Override public long epoch() { return 0; }
        };
    }

    static Network network() {
        return Models.mlpBuilder(Models.Activation.RELU, true, Init.HE, 6, 12, 12, 3).build(DataType.DOUBLE, 5);
    }

    static Trainer.Builder trainer(Network net, String name, Map<String, String> options, BatchStream data) {
        return Trainer.builder().network(net).loss(new SoftmaxCrossEntropy()).data(data).optimizer(Optimizers.create(name, options)).seed(3);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyOptimizer")
    void resumingFromACopyOfTheStateAndParametersContinuesBitForBit(String name, Map<String, String> options) {
        List<Batch> batches = batches();
        TrainingRun whole = trainer(network(), name, options, from(batches, 0)).steps(K + MORE).build().run();

        TrainingRun first = trainer(network(), name, options, from(batches, 0)).steps(K).build().run();
        OptimizerState saved = first.optimizerState();
        INDArray params = first.finalParameters();
        // a fresh network object (its initial weights are overwritten by the resume), a fresh optimizer object
        Network other = Models.mlpBuilder(Models.Activation.RELU, true, Init.HE, 6, 12, 12, 3).build(DataType.DOUBLE, 99);
        TrainingRun resumed = trainer(other, name, options, from(batches, K)).steps(K + MORE).resumeFrom(params, saved, K).build().run();

        assertEquals(K + MORE, whole.history().size(), whole.statusMessage());
        assertEquals(MORE, resumed.history().size(), resumed.statusMessage());
        for (int i = 0; i < MORE; i++) {
            StepRecord a = whole.history().get(K + i), b = resumed.history().get(i);
            assertEquals(a.step(), b.step());
            assertEquals(a.loss(), b.loss(), 0, name + " loss at step " + a.step());
            assertEquals(a.learningRate(), b.learningRate(), 0, name + " lr at step " + a.step());
        }
        assertArrayEquals(whole.finalParameters().toDoubleVector(), resumed.finalParameters().toDoubleVector(), 0, name + " final parameters");
        assertEquals(whole.optimizerState(), resumed.optimizerState(), name + " final state");
        // the copy handed out by the first run was not advanced by the resumed one
        assertEquals(first.optimizerState(), saved);
    }

    @Test void oneOptimizerObjectServesSeveralRunsAlike() {
        List<Batch> batches = batches();
        Optimizer adam = new Adam(1e-2);
        TrainingRun a = Trainer.builder().network(network()).loss(new SoftmaxCrossEntropy()).data(from(batches, 0)).optimizer(adam).steps(5).build().run();
        TrainingRun b = Trainer.builder().network(network()).loss(new SoftmaxCrossEntropy()).data(from(batches, 0)).optimizer(adam).steps(5).build().run();
        assertArrayEquals(a.finalParameters().toDoubleVector(), b.finalParameters().toDoubleVector(), 0);
        assertEquals(a.optimizerState(), b.optimizerState());
    }

    @Test void theTrainerPreparesTheNetworkAndShowsPlugInsTheState() {
        List<Batch> batches = batches();
        Network net = network();
        Network agdInitialized = network();
        Agd.initialize(agdInitialized, 3);
        List<Double> seenT = new ArrayList<>();
        TrainingRun run = Trainer.builder().network(net).loss(new SoftmaxCrossEntropy()).data(from(batches, 0)).optimizer(new Agd()).steps(0).seed(3)
                .build().run();
        assertArrayEquals(agdInitialized.parameters().toDoubleVector(), run.finalParameters().toDoubleVector(), 0, "AGD's prepare ran with the trainer's seed");
        Trainer.builder().network(network()).loss(new SoftmaxCrossEntropy()).data(from(batches, 0)).optimizer(new Adam(1e-3)).steps(3)
                .install(new org.tuneless.train.TrainerPlugin() {
                    @Override public void afterUpdate(org.tuneless.train.TrainingContext c, Map<String, Double> m) {
                        seenT.add(c.optimizerState().scalar("t"));
                    }
                }).build().run();
        assertEquals(List.of(1.0, 2.0, 3.0), seenT);
    }

    @Test void adamsStateListsItsMomentsByParameterName() {
        Network net = network();
        OptimizerState s = new Adam(1e-3).init(net.layout(), DataType.DOUBLE);
        assertEquals(List.of("m", "v", "precond"), List.copyOf(s.tensorNames()));
        assertEquals(List.of("t"), List.copyOf(s.scalarNames()));
        assertTrue(s.childNames().isEmpty());
        Map<String, INDArray> byParameter = s.tensorsByParameter();
        List<String> expected = new ArrayList<>();
        for (String slot : List.of("m", "v", "precond")) {
            for (var t : net.layout().tensors()) expected.add(slot + "/" + t.name());
        }
        assertEquals(expected, List.copyOf(byParameter.keySet()));
        assertTrue(byParameter.containsKey("m/dense0.W"));
        assertArrayEquals(net.layout().tensor("dense0.W").shape(), byParameter.get("m/dense0.W").shape());
        // views are live: writing through one changes the flat slot
        byParameter.get("v/dense1.b").assign(2.5);
        assertEquals(2.5, s.view("v", "dense1.b").getDouble(0), 0);
        assertEquals(2.5 * net.layout().tensor("dense1.b").length(), s.tensor("v").sumNumber().doubleValue(), 0);
    }

    @Test void aTunersStateHoldsItsBasesStateAsChildBase() {
        Network net = network();
        Optimizer cdat = Optimizers.create("cdat", Map.of("base", "adam", "ema", "0.9"));
        OptimizerState s = cdat.init(net.layout(), DataType.DOUBLE);
        assertEquals(List.of(StepSizeTuner.BASE), List.copyOf(s.childNames()));
        assertEquals(List.of("m", "v", "precond"), List.copyOf(s.child("base").tensorNames()));
        assertTrue(s.tensorsByParameter().containsKey("base/m/dense0.W"));
        assertTrue(s.scalarsByName().containsKey("base/t"));
        assertTrue(s.scalarsByName().containsKey("n_ema"));
        OptimizerState ecco = new EccoDnn(0.3).init(net.layout(), DataType.DOUBLE);
        assertTrue(ecco.scalarNames().contains("dt_prev/dense0.W"), ecco.describe());
        assertTrue(ecco.tensorsByParameter().containsKey("g_prev/dense2.b"));
    }

    @Test void copiesAreDeepAndCompareBitForBit() {
        OptimizerState s = Optimizers.create("cdat", Map.of("base", "adam")).init(org.tuneless.tensor.ParameterLayout.single("w", 3), DataType.DOUBLE);
        s.child("base").tensor("m").assign(Nd4j.createFromArray(1.0, 2.0, 3.0));
        s.setScalar("n_ema", 0.5);
        OptimizerState c = s.copy();
        assertEquals(s, c);
        c.child("base").tensor("m").putScalar(1, Math.nextUp(2.0));
        assertNotEquals(s, c, "one ulp in a child's tensor");
        assertEquals(2.0, s.child("base").tensor("m").getDouble(1), 0, "the original is untouched");
        OptimizerState d = s.copy();
        d.setScalar("d_last", 1.0);
        assertFalse(s.equals(d));
        // assign restores values into an existing state and refuses a different structure
        d.assign(s);
        assertEquals(s, d);
        OptimizerState adam = new Adam(1e-3).init(org.tuneless.tensor.ParameterLayout.single("w", 3), DataType.DOUBLE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adam.assign(s));
        assertTrue(e.getMessage().contains("do not match"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.tensor("nope"));
    }
}
